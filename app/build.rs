//! The app's wasm keeps the linker's relocations: the post-build step splits it at its lazy
//! routes, and the splitter needs them to move code between parts.

fn main() {
    if std::env::var("TARGET").is_ok_and(|target| target.starts_with("wasm32")) {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
