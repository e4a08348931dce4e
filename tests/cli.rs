//! CLI cases in `tests/cli/*.toml` (trycmd): every exit code and format of
//! `audit` and `rules`. Refresh expected output with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "ksef-audit",
            std::path::Path::new(env!("CARGO_BIN_EXE_ksef-audit")),
        )
        .case("tests/cli/*.toml");
}
