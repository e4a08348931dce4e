//! Which formats a command writes, and where: `--format`, `--csv-excel`, `-o` and
//! `--output-dir` resolved into a list of outputs.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

/// The format `-o FILE`'s extension names (`.csv` -> "csv"), lower-cased; `None` without one.
/// Two-part extensions name a format only where the name is unambiguous: `.junit.xml` is junit.
fn extension_format(output: Option<&Path>) -> Option<String> {
    let output = output?;
    let name = output.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".junit.xml") {
        return Some("junit".into());
    }
    output
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// The output format a command writes: `--format` when given, else `csv` with `--csv-excel`,
/// else the extension of `-o FILE` when it names one of `known`, else `default`. A conflict
/// (`--csv-excel` with another `--format`) is an error naming both flags.
pub fn choose_format<F: ValueEnum + Copy + PartialEq>(
    format: Option<F>,
    csv_excel: bool,
    output: Option<&Path>,
    default: F,
) -> Result<F, String> {
    let csv = F::from_str("csv", true).ok();
    if csv_excel {
        return match (format, csv) {
            (Some(f), Some(c)) if f != c => Err(format!(
                "--csv-excel writes CSV, but --format {} was given\nhelp: drop --format, or use --format csv",
                f.to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            )),
            (_, Some(c)) => Ok(c),
            (_, None) => Err("--csv-excel: this command writes no CSV".into()),
        };
    }
    if let Some(f) = format {
        return Ok(f);
    }
    Ok(extension_format(output)
        .and_then(|ext| F::from_str(&ext, true).ok())
        .unwrap_or(default))
}

/// The file extension a format is written with (`text` -> `txt`).
pub fn format_extension<F: ValueEnum>(format: F) -> String {
    let name = format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    match name.as_str() {
        "text" => "txt".into(),
        "junit" => "junit.xml".into(),
        "gitlab" => "gitlab.json".into(),
        _ => name,
    }
}

fn format_name<F: ValueEnum>(format: F) -> String {
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Every output one run writes: `(format, None)` for standard output, `(format, Some(file))`.
///
/// One `--format` and at most one `-o` behave as [`choose_format`]. Several outputs come from
/// `--format a,b --output-dir DIR` (`DIR/STEM.EXT` each) or from repeated `-o FILE`, each
/// format named by the file's extension (`.txt` is text); a `--format` list must then name
/// the same formats. Anything ambiguous is an error that says what to write instead.
pub fn choose_outputs<F: ValueEnum + Copy + PartialEq>(
    formats: &[F],
    csv_excel: bool,
    outputs: &[PathBuf],
    output_dir: Option<&Path>,
    stem: &str,
    default: F,
) -> Result<Vec<(F, Option<PathBuf>)>, String> {
    let mut wanted: Vec<F> = Vec::new();
    for f in formats {
        if !wanted.contains(f) {
            wanted.push(*f);
        }
    }
    let csv = F::from_str("csv", true).ok();
    let names = |fs: &[F]| {
        fs.iter()
            .map(|f| format_name(*f))
            .collect::<Vec<_>>()
            .join(",")
    };
    if let Some(dir) = output_dir {
        if wanted.is_empty() {
            match (csv_excel, csv) {
                (true, Some(c)) => wanted.push(c),
                _ => {
                    return Err(
                        "--output-dir needs the formats to write\nhelp: add e.g. --format json,html,csv"
                            .into(),
                    );
                }
            }
        }
        if csv_excel && csv.is_some_and(|c| !wanted.contains(&c)) {
            return Err(format!(
                "--csv-excel writes CSV, but --format {} has no csv\nhelp: add csv to --format, or drop --csv-excel",
                names(&wanted)
            ));
        }
        return Ok(wanted
            .into_iter()
            .map(|f| (f, Some(dir.join(format!("{stem}.{}", format_extension(f))))))
            .collect());
    }
    if outputs.len() <= 1 {
        if wanted.len() > 1 {
            return Err(format!(
                "--format {} writes {} formats, but {}\nhelp: add --output-dir DIR, or give one -o FILE per format ({})",
                names(&wanted),
                wanted.len(),
                match outputs.first() {
                    Some(p) => format!("only one file was given (-o {})", p.display()),
                    None => "no place to write them was given".to_string(),
                },
                wanted
                    .iter()
                    .map(|f| format!("-o {stem}.{}", format_extension(*f)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        let out = outputs.first().map(PathBuf::as_path);
        let format = choose_format(wanted.first().copied(), csv_excel, out, default)?;
        let path = out.filter(|p| *p != Path::new("-"));
        return Ok(vec![(format, path.map(Path::to_path_buf))]);
    }
    let mut chosen: Vec<(F, Option<PathBuf>)> = Vec::new();
    for path in outputs {
        if chosen.iter().any(|(_, p)| p.as_ref() == Some(path)) {
            return Err(format!("-o {} is given twice", path.display()));
        }
        let ext = extension_format(Some(path));
        let format = ext
            .as_deref()
            .map(|e| if e == "txt" { "text" } else { e })
            .and_then(|e| F::from_str(e, true).ok())
            .ok_or_else(|| {
                format!(
                    "-o {}: with several -o, each file's extension names its format, and '{}' names none\nhelp: use one of {}",
                    path.display(),
                    ext.as_deref().map(|e| format!(".{e}")).unwrap_or_default(),
                    F::value_variants()
                        .iter()
                        .map(|f| format!(".{}", format_extension(*f)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        chosen.push((format, Some(path.clone())));
    }
    let written: Vec<F> = chosen.iter().map(|(f, _)| *f).collect();
    if !wanted.is_empty()
        && (wanted.iter().any(|f| !written.contains(f))
            || written.iter().any(|f| !wanted.contains(f)))
    {
        return Err(format!(
            "--format {} does not match the formats the -o files name ({})\nhelp: drop --format: each -o file's extension picks its format",
            names(&wanted),
            names(&written)
        ));
    }
    if csv_excel && csv.is_some_and(|c| !written.contains(&c)) {
        return Err("--csv-excel writes CSV, but no -o file ends in .csv\nhelp: add -o FILE.csv, or drop --csv-excel".into());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{AuditFormat, LeaksFormat, ReportFormat};

    #[test]
    fn several_outputs_come_from_output_dir_or_repeated_output() {
        let dir = Path::new("out");
        let got = choose_outputs(
            &[AuditFormat::Json, AuditFormat::Html, AuditFormat::Text],
            false,
            &[],
            Some(dir),
            "audit",
            AuditFormat::Text,
        );
        assert_eq!(
            got,
            Ok(vec![
                (AuditFormat::Json, Some(dir.join("audit.json"))),
                (AuditFormat::Html, Some(dir.join("audit.html"))),
                (AuditFormat::Text, Some(dir.join("audit.txt"))),
            ])
        );
        let files = [
            PathBuf::from("a.json"),
            PathBuf::from("b.CSV"),
            PathBuf::from("c.txt"),
        ];
        let got = choose_outputs(&[], false, &files, None, "audit", AuditFormat::Text);
        assert_eq!(
            got,
            Ok(vec![
                (AuditFormat::Json, Some(files[0].clone())),
                (AuditFormat::Csv, Some(files[1].clone())),
                (AuditFormat::Text, Some(files[2].clone())),
            ])
        );
        // One format, one file: as before (an explicit --format wins over the extension).
        let one = [PathBuf::from("x.csv")];
        assert_eq!(
            choose_outputs(
                &[AuditFormat::Json],
                false,
                &one,
                None,
                "audit",
                AuditFormat::Text
            ),
            Ok(vec![(AuditFormat::Json, Some(one[0].clone()))])
        );
        assert_eq!(
            choose_outputs::<AuditFormat>(&[], false, &[], None, "audit", AuditFormat::Text),
            Ok(vec![(AuditFormat::Text, None)])
        );
    }

    #[test]
    fn ambiguous_several_outputs_are_errors() {
        let two = [AuditFormat::Json, AuditFormat::Html];
        let err = choose_outputs(&two, false, &[], None, "audit", AuditFormat::Text)
            .expect_err("nowhere");
        assert!(
            err.contains("--output-dir") && err.contains("-o audit.json -o audit.html"),
            "{err}"
        );
        let err = choose_outputs(
            &two,
            false,
            &[PathBuf::from("a.json")],
            None,
            "audit",
            AuditFormat::Text,
        )
        .expect_err("one file");
        assert!(err.contains("only one file"), "{err}");
        let files = [PathBuf::from("a.json"), PathBuf::from("b.dat")];
        let err =
            choose_outputs::<AuditFormat>(&[], false, &files, None, "audit", AuditFormat::Text)
                .expect_err("unknown extension");
        assert!(err.contains("b.dat") && err.contains(".html"), "{err}");
        let files = [PathBuf::from("a.json"), PathBuf::from("b.html")];
        let err = choose_outputs(
            &[AuditFormat::Csv],
            false,
            &files,
            None,
            "audit",
            AuditFormat::Text,
        )
        .expect_err("mismatch");
        assert!(err.contains("does not match"), "{err}");
        let err =
            choose_outputs::<AuditFormat>(&[], true, &files, None, "audit", AuditFormat::Text)
                .expect_err("excel without csv");
        assert!(err.contains("--csv-excel"), "{err}");
        let same = [PathBuf::from("a.json"), PathBuf::from("a.json")];
        assert!(
            choose_outputs::<AuditFormat>(&[], false, &same, None, "audit", AuditFormat::Text)
                .is_err()
        );
        let err = choose_outputs::<AuditFormat>(
            &[],
            false,
            &[],
            Some(Path::new("d")),
            "audit",
            AuditFormat::Text,
        )
        .expect_err("no formats");
        assert!(err.contains("--format json,html,csv"), "{err}");
    }

    #[test]
    fn output_extension_and_csv_excel_choose_the_format() {
        let pick = |format, excel, out: Option<&str>| {
            choose_format(format, excel, out.map(Path::new), ReportFormat::Html)
        };
        // `-o q.csv` writes CSV, not HTML into a .csv file.
        assert_eq!(pick(None, false, Some("q.csv")), Ok(ReportFormat::Csv));
        assert_eq!(pick(None, false, Some("Q.CSV")), Ok(ReportFormat::Csv));
        assert_eq!(pick(None, false, Some("q.html")), Ok(ReportFormat::Html));
        assert_eq!(pick(None, false, Some("q.txt")), Ok(ReportFormat::Html));
        assert_eq!(pick(None, true, None), Ok(ReportFormat::Csv));
        assert_eq!(
            pick(Some(ReportFormat::Csv), true, Some("q.csv")),
            Ok(ReportFormat::Csv)
        );
        let err = pick(Some(ReportFormat::Html), true, None).expect_err("conflict");
        assert!(
            err.contains("--csv-excel") && err.contains("--format html"),
            "{err}"
        );
        // An explicit --format wins over the extension.
        assert_eq!(
            pick(Some(ReportFormat::Html), false, Some("q.csv")),
            Ok(ReportFormat::Html)
        );
        let leaks = choose_format(None, false, Some(Path::new("x.sarif")), LeaksFormat::Text);
        assert_eq!(leaks, Ok(LeaksFormat::Sarif));
        // Two-part extensions: only `.junit.xml` names a format; GitLab's report is JSON.
        let junit = choose_format(
            None,
            false,
            Some(Path::new("r.JUnit.xml")),
            LeaksFormat::Text,
        );
        assert_eq!(junit, Ok(LeaksFormat::Junit));
        let plain = choose_format(None, false, Some(Path::new("r.xml")), LeaksFormat::Text);
        assert_eq!(plain, Ok(LeaksFormat::Text));
        let gl = choose_format(None, false, Some(Path::new("gl.json")), LeaksFormat::Text);
        assert_eq!(gl, Ok(LeaksFormat::Json));
    }
}
