//! `kiosk`: the touchscreen application. The command line lives in the
//! library ([`kiosk::cli`]) so that what it offers follows the library's
//! features (the appliance build has no `--demo`).

fn main() -> std::process::ExitCode {
    kiosk::cli::main()
}
