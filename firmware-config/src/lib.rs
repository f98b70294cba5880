//! Device configuration schema and fleet provisioning (issue #7).
