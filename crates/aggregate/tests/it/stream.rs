//! End-to-end tests of the streaming aggregation on generated CSV.

use std::cell::Cell;

use geo_types::{MultiPolygon, polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_aggregate::{
    AggregateError, AggregateOptions, Delimiter, PolygonIndex, aggregate_csv,
};

/// Four unit squares: area 2·i + j covers [i, i+1] × [j, j+1].
fn squares() -> PolygonIndex {
    let mut areas = Vec::new();
    for i in 0..2 {
        for j in 0..2 {
            let (x, y) = (f64::from(i), f64::from(j));
            areas.push((
                format!("sq{i}{j}"),
                MultiPolygon(vec![polygon![
                    (x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)
                ]]),
            ));
        }
    }
    PolygonIndex::new(areas).unwrap()
}

struct Generated {
    csv: String,
    /// [period][variable][area or 4 = outside]
    counts: [[[u64; 5]; 2]; 2],
    sums: [[[i64; 5]; 2]; 2],
    outside_lines: Vec<u64>,
}

fn generate(n: usize, seed: u64, delim: char, decimal_comma: bool) -> Generated {
    let index = squares();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut csv = format!("id{delim}period{delim}x{delim}y{delim}variable{delim}weight\n");
    let mut g = Generated {
        csv: String::new(),
        counts: Default::default(),
        sums: Default::default(),
        outside_lines: Vec::new(),
    };
    for i in 0..n {
        let x = f64::from(rng.random_range(-100..2100)) / 1000.0;
        let y = f64::from(rng.random_range(-100..2100)) / 1000.0;
        let p = rng.random_range(0..2usize);
        let v = rng.random_range(0..2usize);
        let w = rng.random_range(0..50i64);
        let area = index.locate(x, y).unwrap_or(4);
        g.counts[p][v][area] += 1;
        g.sums[p][v][area] += w;
        if area == 4 {
            g.outside_lines.push(i as u64 + 2);
        }
        let (xs, ys) = if decimal_comma {
            (
                format!("{x}").replace('.', ","),
                format!("{y}").replace('.', ","),
            )
        } else {
            (format!("{x}"), format!("{y}"))
        };
        let variable = if v == 0 { "sgb2" } else { "\"alter; 65+\"" };
        csv.push_str(&format!(
            "{i}{delim}{}{delim}{xs}{delim}{ys}{delim}{variable}{delim}{w}\n",
            2022 + p
        ));
    }
    g.csv = csv;
    g
}

fn options<'a>(chunk_size: usize, threads: usize) -> AggregateOptions<'a> {
    AggregateOptions {
        group: vec!["period".into(), "variable".into()],
        chunk_size,
        threads,
        ..AggregateOptions::new("x", "y")
    }
}

#[test]
fn counts_and_sums_match_naive_in_any_chunking() {
    let index = squares();
    let g = generate(20_000, 1, ',', false);
    for (chunk_size, threads) in [(4096, 3), (1 << 20, 1), (10_000, 2)] {
        let last = Cell::new(0);
        let opts = options(chunk_size, threads);
        let r = aggregate_csv(g.csv.as_bytes(), &index, &opts, &|b| last.set(b)).unwrap();
        assert_eq!(last.get(), g.csv.len() as u64, "progress reaches the end");
        assert_eq!(r.records, 20_000);
        assert_eq!(r.groups.len(), 4);
        for (gi, values) in r.groups.iter().enumerate() {
            let p = if values[0] == "2022" { 0 } else { 1 };
            let v = if values[1] == "sgb2" { 0 } else { 1 };
            for a in 0..4 {
                assert_eq!(r.count(gi, a), g.counts[p][v][a], "{values:?} area {a}");
            }
            assert_eq!(r.outside_count(gi), g.counts[p][v][4]);
        }
        assert_eq!(r.outside, g.outside_lines.len() as u64);
        assert_eq!(r.assigned + r.outside, r.records);
        let lines: Vec<u64> = r.outside_sample.iter().map(|o| o.line).collect();
        assert_eq!(lines, g.outside_lines[..10], "first outside lines");
    }

    let opts = AggregateOptions {
        weight: Some("weight".into()),
        ..options(8192, 2)
    };
    let r = aggregate_csv(g.csv.as_bytes(), &index, &opts, &|_| {}).unwrap();
    for (gi, values) in r.groups.iter().enumerate() {
        let p = if values[0] == "2022" { 0 } else { 1 };
        let v = if values[1] == "sgb2" { 0 } else { 1 };
        for a in 0..4 {
            assert_eq!(r.sum(gi, a), Some(g.sums[p][v][a] as f64));
        }
    }
}

#[test]
fn many_short_long_and_escaped_group_values_are_told_apart() {
    // Group values that a careless packing would confuse (("ab", "c") and ("a", "bc"), empty
    // values, a NUL byte), hundreds of values (the lookup table grows), values too long for the
    // packed key, and quoted values with "" escapes, in any chunking: counted as the naive count.
    let index = squares();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut values: Vec<(String, String)> = vec![
        ("ab".into(), "c".into()),
        ("a".into(), "bc".into()),
        ("".into(), "x".into()),
        ("x".into(), "".into()),
        ("".into(), "".into()),
        ("a\0".into(), "".into()),
        ("a".into(), "\0".into()),
        ("say \"hi\"".into(), "v".into()),
        ("say \"hi\"".into(), "w".into()),
        ("x".repeat(40), "y".into()),
        ("x".repeat(40), "z".into()),
        ("x".repeat(15), "y".repeat(15)),
        ("x".repeat(15), "y".repeat(16)),
    ];
    for k in 0..300 {
        values.push((format!("{}", 2000 + k % 30), format!("var{}", k / 30)));
    }
    let quote = |v: &str| {
        if v.contains('"') {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_owned()
        }
    };
    let mut csv = String::from("x,y,period,variable\n");
    let mut expected: std::collections::HashMap<(String, String, usize), u64> = Default::default();
    for _ in 0..30_000 {
        let (p, v) = &values[rng.random_range(0..values.len())];
        let x = f64::from(rng.random_range(-100..2100)) / 1000.0;
        let y = f64::from(rng.random_range(-100..2100)) / 1000.0;
        let area = index.locate(x, y).unwrap_or(4);
        *expected.entry((p.clone(), v.clone(), area)).or_default() += 1;
        csv.push_str(&format!("{x},{y},{},{}\n", quote(p), quote(v)));
    }
    for (chunk_size, threads) in [(4096, 3), (1 << 20, 1), (10_000, 2)] {
        let r = aggregate_csv(
            csv.as_bytes(),
            &index,
            &options(chunk_size, threads),
            &|_| {},
        )
        .unwrap();
        let mut got: std::collections::HashMap<(String, String, usize), u64> = Default::default();
        for (gi, g) in r.groups.iter().enumerate() {
            for a in 0..4 {
                if r.count(gi, a) > 0 {
                    got.insert((g[0].clone(), g[1].clone(), a), r.count(gi, a));
                }
            }
            if r.outside_count(gi) > 0 {
                got.insert((g[0].clone(), g[1].clone(), 4), r.outside_count(gi));
            }
        }
        assert_eq!(got, expected, "chunk size {chunk_size}, {threads} threads");
        assert_eq!(r.groups.len(), values.len());
    }
}

#[test]
fn semicolon_decimal_comma_crlf_and_bom() {
    let index = squares();
    let g = generate(5_000, 2, ';', true);
    let text = format!("\u{feff}{}", g.csv.replace('\n', "\r\n"));
    let r = aggregate_csv(text.as_bytes(), &index, &options(4096, 2), &|_| {}).unwrap();
    let total: u64 = (0..r.groups.len())
        .map(|gi| (0..4).map(|a| r.count(gi, a)).sum::<u64>())
        .sum();
    let expected: u64 = g
        .counts
        .iter()
        .flatten()
        .map(|c| c[..4].iter().sum::<u64>())
        .sum();
    assert_eq!(total, expected);
    assert_eq!(
        r.groups[0],
        vec!["2022".to_string(), "alter; 65+".to_string()]
    );
}

#[test]
fn writes_result_csv() {
    let index = squares();
    let csv = "x,y,period\n0.5,0.5,2023\n1.5,0.5,2023\n0.5,0.5,2024\n9,9,2024\n";
    let opts = AggregateOptions {
        group: vec!["period".into()],
        ..AggregateOptions::new("x", "y")
    };
    let r = aggregate_csv(csv.as_bytes(), &index, &opts, &|_| {}).unwrap();
    let mut out = Vec::new();
    r.write_csv(&mut out, "bezirk").unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "bezirk,period,count\nsq00,2023,1\nsq00,2024,1\nsq01,2023,0\nsq01,2024,0\n\
         sq10,2023,1\nsq10,2024,0\nsq11,2023,0\nsq11,2024,0\n"
    );
    assert_eq!(r.outside, 1);
    assert_eq!(r.outside_sample[0].line, 5);
    assert_eq!((r.outside_sample[0].x, r.outside_sample[0].y), (9.0, 9.0));

    let opts = AggregateOptions {
        weight: Some("w".into()),
        delimiter: Delimiter::Byte(b';'),
        ..AggregateOptions::new("x", "y")
    };
    let csv = "x;y;w\n0,5;0,5;0,1\n0,25;0,5;0,2\n";
    let r = aggregate_csv(csv.as_bytes(), &index, &opts, &|_| {}).unwrap();
    let mut out = Vec::new();
    r.write_csv(&mut out, "area").unwrap();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("area,sum\nsq00,0.3\n")
    );
}

/// A group value a spreadsheet would run as a formula is written as text; a negative number
/// stays a number.
#[test]
fn result_csv_writes_no_formula() {
    let index = squares();
    let csv = "x,y,art\n0.5,0.5,\"=HYPERLINK(\"\"http://x\"\")\"\n1.5,0.5,-3\n";
    let opts = AggregateOptions {
        group: vec!["art".into()],
        ..AggregateOptions::new("x", "y")
    };
    let r = aggregate_csv(csv.as_bytes(), &index, &opts, &|_| {}).unwrap();
    let mut out = Vec::new();
    r.write_csv(&mut out, "bezirk").unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("sq00,\"'=HYPERLINK(\"\"http://x\"\")\",1\n"),
        "{text}"
    );
    assert!(text.contains("sq10,-3,1\n"), "{text}");
}

#[test]
fn bad_coordinate_names_line_and_column() {
    let index = squares();
    let mut g = generate(30_000, 3, ',', false).csv;
    // Break the y value of data record 20,000 (line 20,002): the 4th field.
    let mut lines: Vec<String> = g.lines().map(str::to_owned).collect();
    let mut fields: Vec<&str> = lines[20_001].split(',').collect();
    fields[3] = "5O.1";
    lines[20_001] = fields.join(",");
    // And a later one, which must not be the one reported.
    let mut fields: Vec<&str> = lines[25_000].split(',').collect();
    fields[2] = "";
    lines[25_000] = fields.join(",");
    g = lines.join("\n");
    for threads in [1, 2, 3] {
        let err =
            aggregate_csv(g.as_bytes(), &index, &options(4096, threads), &|_| {}).unwrap_err();
        match &err {
            AggregateError::InvalidValue {
                line,
                column,
                field,
                value,
                ..
            } => {
                assert_eq!(
                    (*line, column.as_str(), *field, value.as_str()),
                    (20_002, "y", 4, "5O.1")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("line 20002, column 'y'"), "{err}");
    }

    let opts = AggregateOptions {
        skip_invalid: true,
        ..options(4096, 2)
    };
    let r = aggregate_csv(g.as_bytes(), &index, &opts, &|_| {}).unwrap();
    assert_eq!(r.skipped, 2);
    assert_eq!(r.skipped_sample[0].line, 20_002);
    assert_eq!(r.skipped_sample[1].line, 25_001);
    assert_eq!(r.assigned + r.outside + r.skipped, r.records);
}

#[test]
fn header_problems_and_transform() {
    let index = squares();
    let err = aggregate_csv(
        &b"lon,lat\n1,2\n"[..],
        &index,
        &AggregateOptions::new("x", "y"),
        &|_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, AggregateError::MissingColumn { ref name, .. } if name == "x"),
        "{err}"
    );
    let err =
        aggregate_csv(&b""[..], &index, &AggregateOptions::new("x", "y"), &|_| {}).unwrap_err();
    assert!(matches!(err, AggregateError::Empty));
    let err = aggregate_csv(
        &b"x,y\n1,\"2\n"[..],
        &index,
        &AggregateOptions::new("x", "y"),
        &|_| {},
    )
    .unwrap_err();
    assert!(
        matches!(err, AggregateError::UnclosedQuote { line: 2 }),
        "{err}"
    );

    // A transform that shifts points by +1 in x and rejects negative x.
    let shift = |x: f64, y: f64| (x >= 0.0).then_some((x + 1.0, y));
    let opts = AggregateOptions {
        transform: Some(&shift),
        skip_invalid: true,
        ..AggregateOptions::new("x", "y")
    };
    let r = aggregate_csv(&b"x,y\n0.5,0.5\n-1,0.5\n"[..], &index, &opts, &|_| {}).unwrap();
    assert_eq!(r.count(0, 2), 1, "moved into sq10");
    assert_eq!(r.skipped, 1);
}

#[test]
fn group_values_are_checked_with_line_and_column() {
    let index = squares();
    // Latin-1 bytes in a group value come back as they were in `raw_groups`.
    let mut data = b"x,y,jahr,art\n".to_vec();
    for i in 0..5000 {
        let year = if i == 3210 { "20x1" } else { "2021" };
        let art: &[u8] = if i % 2 == 0 { b"Kita" } else { b"Sch\xfcler" };
        data.extend_from_slice(format!("0.5,0.5,{year},").as_bytes());
        data.extend_from_slice(art);
        data.push(b'\n');
        if i == 4000 {
            data.extend_from_slice(b"0.5,0.5,1066,Kita\n");
        }
    }
    let check = |col: usize, v: &[u8]| -> Result<(), &'static str> {
        if col == 0
            && !matches!(
                std::str::from_utf8(v).map(str::parse::<i32>),
                Ok(Ok(1800..=2200))
            )
        {
            Err("expected a year such as 2022")
        } else {
            Ok(())
        }
    };
    for threads in [1, 2] {
        let opts = AggregateOptions {
            group: vec!["jahr".into(), "art".into()],
            check_group: Some(&check),
            ..options(4096, threads)
        };
        let err = aggregate_csv(&data[..], &index, &opts, &|_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3212, column 'jahr' (field 3): expected a year such as 2022: '20x1'"
        );
        let opts = AggregateOptions {
            skip_invalid: true,
            ..opts
        };
        let r = aggregate_csv(&data[..], &index, &opts, &|_| {}).unwrap();
        assert_eq!(r.skipped, 2);
        assert_eq!(
            r.skipped_sample.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![3212, 4003]
        );
        assert_eq!(r.assigned, 4999);
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.raw_groups[1][1], b"Sch\xfcler".to_vec());
        assert_eq!(r.groups[1][1], "Sch\u{fffd}ler");
    }
}
