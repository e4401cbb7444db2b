//! The PostgreSQL half of the bot's process tests (bot/tests/process/postgres.rs: real `los
//! run` processes on one database) runs where a server is named: `LOS_TEST_POSTGRES` (a URL of
//! a database the tests may create databases from, as `.ci/postgres` prints). Without it those
//! tests are reported as ignored, with the reason. `LOS_REQUIRE_POSTGRES=1` (CI sets it) makes
//! a missing `LOS_TEST_POSTGRES` a build failure, so CI can never pass without them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(los_postgres)");
    println!("cargo::rerun-if-env-changed=LOS_TEST_POSTGRES");
    println!("cargo::rerun-if-env-changed=LOS_REQUIRE_POSTGRES");
    let named = std::env::var("LOS_TEST_POSTGRES").is_ok_and(|url| !url.trim().is_empty());
    if named {
        println!("cargo::rustc-cfg=los_postgres");
    } else if std::env::var("LOS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!(
            "LOS_REQUIRE_POSTGRES=1 but LOS_TEST_POSTGRES is not set: start a server with \
             `.ci/postgres` and export the URL it prints"
        );
    }
}
