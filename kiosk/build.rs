//! Compile the Slint UI. Debug info keeps element ids for the UI tests;
//! translations are bundled (no gettext at run time); the style is pinned.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_debug_info(true)
        .with_bundled_translations("lang")
        // Messages are keyed by their Chinese text alone, not per component.
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config).expect("the kiosk UI compiles");
}
