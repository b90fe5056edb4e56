//! Embeds the build facts that `php --ri verial_images` and `build_info()` report, and fails
//! early with an actionable message when the PHP development files are missing (ext-php-rs
//! would otherwise fail deep inside bindgen).

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");

    let php_feature = std::env::var_os("CARGO_FEATURE_PHP").is_some();
    let php_config = std::env::var("PHP_CONFIG").unwrap_or_else(|_| "php-config".into());
    let php_api = output(&php_config, &["--phpapi"]);
    if php_feature && php_api.is_none() {
        panic!(
            "\n\nverial_images needs the PHP development files: `{php_config}` was not found.\n\
             On Debian: apt-get install php8.2-dev clang libclang-dev\n\
             (or set PHP_CONFIG=/path/to/php-config), or build the plain core with\n\
             `cargo build --no-default-features`.\n"
        );
    }
    let git_rev =
        output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"]).is_some();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());

    println!(
        "cargo:rustc-env=VIS_GIT_REVISION={git_rev}{}",
        if dirty { "-dirty" } else { "" }
    );
    println!(
        "cargo:rustc-env=VIS_PHP_API={}",
        php_api.unwrap_or_else(|| "none".into())
    );
    println!(
        "cargo:rustc-env=VIS_PHP_VERSION={}",
        output(&php_config, &["--version"]).unwrap_or_else(|| "none".into())
    );
    println!("cargo:rustc-env=VIS_RUSTC={rustc_version}");
    println!(
        "cargo:rustc-env=VIS_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=VIS_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_default()
    );
}
