//! Every bundled lesson loads, is fully translated, fails before each step and passes after
//! its solution.

#[test]
fn every_lesson_passes_its_own_check() {
    let all = pilothouse_lessons::bundled();
    assert!(!all.is_empty(), "no lessons bundled");
    let mut problems = Vec::new();
    for (file, text) in all {
        match pilothouse_lessons::load(file, text) {
            Err(e) => problems.push(e.to_string()),
            Ok(lesson) => {
                let report = pilothouse_lessons::check_lesson(&lesson);
                for p in report.problems {
                    problems.push(format!("{file}: {p}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "lesson problems:\n{}", problems.join("\n"));
}

#[test]
fn schema_errors_name_file_and_line() {
    let bad = "id: x\ntitle: t\nsummary: s\nlevel: beginner\nminutes: 1\ntopic: T\nsteps:\n  - id: a\n    title: t\n    body: b\n    solution:\n      commands: [ls]\n    checks:\n      - type: exists\n        kind: pod\n        nam: p\n        text: t\n";
    let err = pilothouse_lessons::load("bad.yaml", bad).unwrap_err();
    assert_eq!(err.file, "bad.yaml");
    assert!(err.line >= 14, "{err}");
    assert!(err.message.contains("nam"), "{err}");
}

#[test]
fn checks_fail_before_and_report_why() {
    let (file, text) = pilothouse_lessons::bundled().into_iter().find(|(f, _)| f.starts_with("01-")).unwrap();
    let lesson = pilothouse_lessons::load(file, text).unwrap();
    let s = pilothouse_lessons::Session::start(lesson).unwrap();
    let r = s.evaluate(1);
    assert!(!r[0].ok);
    assert_eq!(r[0].detail, "deployments.apps \"hello-node\" not found");
}

/// The catalogue index read at build time says what the lessons themselves say.
#[test]
fn the_index_matches_every_lesson() {
    let index = pilothouse_lessons::index();
    let all = pilothouse_lessons::bundled();
    assert_eq!(index.len(), all.len());
    for (entry, (file, text)) in index.iter().zip(all) {
        assert_eq!(entry.file, file);
        let full = pilothouse_lessons::load(file, text).unwrap();
        let stub = entry.stub();
        assert_eq!(
            (&stub.id, &stub.title, &stub.summary, &stub.level, stub.minutes, &stub.topic, stub.order),
            (&full.id, &full.title, &full.summary, &full.level, full.minutes, &full.topic, full.order),
            "{file}"
        );
        assert!(stub.steps.is_empty() && entry.available());
        assert_eq!(entry.steps, full.steps.len());
        for lang in [pilothouse_lessons::Lang::En, pilothouse_lessons::Lang::Ko] {
            assert_eq!((entry.title_in(lang), entry.summary_in(lang)), (full.title.get(lang), full.summary.get(lang)));
        }
        assert_eq!(entry.lesson().map(|l| l.steps.len()), Some(full.steps.len()));
    }
}
