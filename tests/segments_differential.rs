//! Differential test against the reference calculator (npm `sms-segments-calculator` 1.3.0).
//!
//! `tests/corpus/gen_corpus.mjs` runs the reference on ~20,000 messages and writes
//! `tests/corpus/segments_corpus.jsonl`. Here every message goes through `segment_message` and
//! `count_segments`; encoding, segment count and units per segment must agree with the reference,
//! except for the deliberate differences of `docs/segments-differences.md`. Each of those is
//! recognised by its own predicate and proven, message by message, to be the whole explanation:
//!
//! - `cluster longer than a segment`: a port of the reference's algorithm (never cut a cluster,
//!   let the part overflow) reproduces the reference exactly, and the message has a cluster longer
//!   than 67 units that we cut between code points.
//! - `grapheme rules newer than Unicode 10`: the reference's clusters differ from ours, ours equal
//!   those of ICU (`Intl.Segmenter`, current Unicode), and cutting with the reference's clusters
//!   reproduces the reference exactly. Sub-classed by the rule that changed.
//!
//! Independently of the reference, an oracle (a plain re-implementation of our rules over explicit
//! clusters) must reproduce `segment_message` on every message.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use creditcast::segments::{count_segments, segment_message, Encoding, SegmentOptions};
use creditcast::ErrorCode;
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

const CORPUS: &str = "tests/corpus/segments_corpus.jsonl";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    class: String,
    text: String,
    #[serde(default)]
    smart_encoding: bool,
    #[serde(default)]
    force_encoding: Option<String>,
    #[serde(default)]
    error: bool,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    segments: Option<u32>,
    #[serde(default)]
    per_segment_units: Vec<u32>,
    #[serde(default)]
    billed_text: Option<String>,
    #[serde(default)]
    ref_clusters: Option<Vec<usize>>,
    #[serde(default)]
    icu_clusters: Option<Vec<usize>>,
}

/// Result in the reference's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    encoding: &'static str,
    per_segment_units: Vec<u32>,
}

fn load_corpus() -> Vec<Entry> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "\n\n*** {} is missing ({e}).\n*** Generate it with `node tests/corpus/gen_corpus.mjs` \
             (needs `npm ci` for the reference package), then run the tests again.\n\n",
            path.display()
        )
    });
    body.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{CORPUS}:{}: {e}", i + 1)))
        .collect()
}

/// A code point with its cost in the message's encoding and whether a cluster starts at it.
#[derive(Debug, Clone, Copy)]
struct Atom {
    cost: u32,
    starts_cluster: bool,
}

/// Clusters of more than one code point as `(utf16 offset, utf16 length)`, CR LF split in two.
fn multi_code_point_clusters(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut off = 0;
    for g in text.graphemes(true) {
        let len = g.encode_utf16().count();
        if g != "\r\n" && g.chars().count() > 1 {
            out.extend([off, len]);
        }
        off += len;
    }
    out
}

/// Atoms of `text`, with cluster starts taken from a flat `[offset, len, …]` list of
/// multi-code-point clusters (every other code point is a cluster of its own).
fn atoms(text: &str, encoding: Encoding, clusters: &[usize]) -> Vec<Atom> {
    let inside: Vec<(usize, usize)> = clusters.chunks(2).map(|c| (c[0], c[0] + c[1])).collect();
    let mut off = 0;
    text.chars()
        .map(|c| {
            let units16 = c.len_utf16();
            let starts_cluster = !inside.iter().any(|&(s, e)| off > s && off < e);
            let cost = match encoding {
                Encoding::Gsm7 => u32::from(creditcast::segments::gsm7_septets(c)),
                Encoding::Ucs2 => units16 as u32,
            };
            off += units16;
            Atom {
                cost,
                starts_cluster,
            }
        })
        .collect()
}

/// Our rules, written plainly: greedy parts of 153/67 units, each cut moved back to the last
/// cluster start inside the part; a cluster longer than a part is cut between code points.
fn oracle(atoms: &[Atom], encoding: Encoding) -> Vec<u32> {
    let (single, multi) = match encoding {
        Encoding::Gsm7 => (160, 153),
        Encoding::Ucs2 => (70, 67),
    };
    let total: u32 = atoms.iter().map(|a| a.cost).sum();
    if total <= single {
        return vec![total];
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let (mut j, mut used) = (i, 0);
        while j < atoms.len() && used + atoms[j].cost <= multi {
            used += atoms[j].cost;
            j += 1;
        }
        if j < atoms.len() {
            let mut k = j;
            while k > i && !atoms[k].starts_cluster {
                k -= 1;
            }
            if k > i {
                j = k;
            }
        }
        out.push(atoms[i..j].iter().map(|a| a.cost).sum());
        i = j;
    }
    out
}

/// Port of the reference's `SegmentedMessage._buildSegments` (bits, 6-octet headers, clusters
/// never cut, a part allowed to overflow), over explicit clusters.
fn reference_algorithm(atoms: &[Atom], encoding: Encoding) -> Vec<u32> {
    let bits_per_unit = match encoding {
        Encoding::Gsm7 => 7,
        Encoding::Ucs2 => 16,
    };
    let mut graphemes: Vec<u32> = Vec::new();
    for a in atoms {
        match graphemes.last_mut() {
            Some(g) if !a.starts_cluster => *g += a.cost,
            _ => graphemes.push(a.cost),
        }
    }
    struct Seg {
        header: bool,
        flag: bool,
        items: Vec<u32>,
    }
    let bits = |s: &Seg| -> i64 {
        (if s.header { 48 } else { 0 })
            + s.items
                .iter()
                .map(|&u| i64::from(u * bits_per_unit))
                .sum::<i64>()
    };
    let mut segs = vec![Seg {
        header: false,
        flag: false,
        items: vec![],
    }];
    for g in graphemes {
        let last = segs.len() - 1;
        if 1120 - bits(&segs[last]) < i64::from(g * bits_per_unit) {
            segs.push(Seg {
                header: true,
                flag: true,
                items: vec![],
            });
            let prev = segs.len() - 2;
            if !segs[prev].flag {
                segs[prev].header = true;
                let mut popped = Vec::new();
                while 1120 - bits(&segs[prev]) < 0 {
                    if let Some(x) = segs[prev].items.pop() {
                        popped.insert(0, x);
                    }
                }
                let n = segs.len() - 1;
                segs[n].items.extend(popped);
            }
        }
        let n = segs.len() - 1;
        segs[n].items.push(g);
    }
    segs.iter().map(|s| s.items.iter().sum()).collect()
}

fn encoding_name(e: Encoding) -> &'static str {
    match e {
        Encoding::Gsm7 => "GSM-7",
        Encoding::Ucs2 => "UCS-2",
    }
}

/// Which rule changed since Unicode 10 for a cluster on which the reference and ICU disagree.
fn grapheme_rule(cluster: &str) -> Option<&'static str> {
    let has = |f: &dyn Fn(char) -> bool| cluster.chars().any(f);
    let virama = |c: char| {
        matches!(
            c,
            '\u{094D}' | '\u{09CD}' | '\u{0ACD}' | '\u{0B4D}' | '\u{0C4D}' | '\u{0D4D}'
        )
    };
    if has(&virama) {
        Some("Indic conjunct, consonant + virama + consonant (GB9c, Unicode 15.1)")
    } else if has(&|c| c == '\u{200D}') {
        Some("emoji ZWJ sequence (GB11 on Extended_Pictographic, Unicode 11)")
    } else if has(&|c| ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)) {
        Some("emoji modifier after any character (E_Modifier is Extend, Unicode 11)")
    } else {
        None
    }
}

/// Clusters where two flat lists disagree, as strings of `text`: each cluster of `ours` that
/// `theirs` lacks, then each cluster of `theirs` that `ours` lacks and that overlaps none of those
/// (so a cluster the reference cut in two is reported once, whole).
fn differing_clusters(text: &str, ours: &[usize], theirs: &[usize]) -> Vec<String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let set =
        |v: &[usize]| -> Vec<(usize, usize)> { v.chunks(2).map(|c| (c[0], c[0] + c[1])).collect() };
    let (a, b) = (set(ours), set(theirs));
    let only_a: Vec<(usize, usize)> = a.iter().filter(|x| !b.contains(x)).copied().collect();
    let only_b = b
        .iter()
        .filter(|x| !a.contains(x))
        .filter(|&&(s, e)| !only_a.iter().any(|&(s2, e2)| s < e2 && s2 < e));
    only_a
        .iter()
        .chain(only_b)
        .map(|&(s, e)| String::from_utf16_lossy(&units[s..e]))
        .collect()
}

fn show(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(90) {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            let _ = write!(out, "<{:X}>", c as u32);
        }
    }
    if s.chars().count() > 90 {
        out.push('…');
    }
    out
}

#[derive(Default)]
struct Tally {
    count: usize,
    examples: Vec<String>,
}

impl Tally {
    fn add(&mut self, example: impl FnOnce() -> String) {
        self.count += 1;
        if self.examples.len() < 3 {
            self.examples.push(example());
        }
    }
}

#[test]
fn agrees_with_the_reference_except_deliberate_differences() {
    let corpus = load_corpus();
    assert!(
        corpus.len() >= 20_000,
        "corpus has only {} messages",
        corpus.len()
    );

    let mut agreed = 0usize;
    let mut deliberate: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut by_corpus_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut cluster_data_differs = Tally::default();
    let mut failures: Vec<String> = Vec::new();

    for (line, e) in corpus.iter().enumerate() {
        let line = line + 1;
        let opts = SegmentOptions {
            smart_encoding: e.smart_encoding,
            trim_trailing_line_breaks: false,
            encoding: match e.force_encoding.as_deref() {
                Some("GSM-7") => Some(Encoding::Gsm7),
                Some("UCS-2") => Some(Encoding::Ucs2),
                None => None,
                Some(other) => panic!("line {line}: unknown forceEncoding {other}"),
            },
        };
        let slot = by_corpus_class.entry(e.class.clone()).or_default();
        slot.0 += 1;

        let full = segment_message(&e.text, &opts);
        let count = count_segments(&e.text, &opts);
        if e.error {
            let ok = matches!(&full, Err(x) if x.code == ErrorCode::NotGsm7 && x.path == "text")
                && matches!(&count, Err(x) if x.code == ErrorCode::NotGsm7 && x.path == "text");
            if ok {
                agreed += 1;
            } else {
                failures.push(format!(
                    "line {line} [{}]: reference refuses forced GSM-7, we gave {full:?}",
                    e.class
                ));
            }
            continue;
        }
        let (ours, count) = match (full, count) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                failures.push(format!("line {line} [{}]: error {a:?} / {b:?}", e.class));
                continue;
            }
        };

        // Our two paths and the oracle agree on every message, no exceptions.
        if (count.encoding, count.segments, count.units)
            != (ours.encoding, ours.segments, ours.units)
        {
            failures.push(format!(
                "line {line}: count_segments {count:?} != segment_message {:?}",
                ours.segments
            ));
        }
        let our_clusters = multi_code_point_clusters(&ours.text);
        let our_atoms = atoms(&ours.text, ours.encoding, &our_clusters);
        if oracle(&our_atoms, ours.encoding) != ours.per_segment_units {
            failures.push(format!(
                "line {line}: oracle disagrees with segment_message on {}",
                show(&e.text)
            ));
        }
        if let Some(billed) = &e.billed_text {
            if billed != &ours.text {
                failures.push(format!(
                    "line {line}: smart encoding gave {} , reference {}",
                    show(&ours.text),
                    show(billed)
                ));
            }
        }
        // Where the reference's cluster data differs from ICU's, ours must be ICU's.
        if let (Some(rc), Some(ic)) = (&e.ref_clusters, &e.icu_clusters) {
            if &our_clusters != ic {
                failures.push(format!(
                    "line {line}: our clusters differ from ICU's: {:?}",
                    differing_clusters(&ours.text, &our_clusters, ic)
                        .iter()
                        .map(|c| show(c))
                        .collect::<Vec<_>>()
                ));
                continue;
            }
            for c in differing_clusters(&ours.text, ic, rc) {
                if grapheme_rule(&c).is_none() {
                    failures.push(format!(
                        "line {line}: reference and ICU disagree on {}, no known rule change",
                        show(&c)
                    ));
                }
            }
            cluster_data_differs.add(|| show(&e.text));
        }

        let reference = Outcome {
            encoding: match e.encoding.as_deref() {
                Some("GSM-7") => "GSM-7",
                Some("UCS-2") => "UCS-2",
                other => panic!("line {line}: bad reference encoding {other:?}"),
            },
            per_segment_units: e.per_segment_units.clone(),
        };
        assert_eq!(
            e.segments,
            Some(e.per_segment_units.len() as u32),
            "line {line}: corpus inconsistent"
        );
        let mine = Outcome {
            encoding: encoding_name(ours.encoding),
            per_segment_units: ours.per_segment_units.clone(),
        };
        if mine == reference {
            agreed += 1;
            continue;
        }
        slot.1 += 1;
        if mine.encoding != reference.encoding {
            failures.push(format!(
                "line {line} [{}]: encoding {} vs reference {}: {}",
                e.class,
                mine.encoding,
                reference.encoding,
                show(&e.text)
            ));
            continue;
        }

        // Explain the difference. The reference's clusters: from the corpus when they differ
        // from ICU's, ours otherwise (ours were just checked to be ICU's where it matters).
        let ref_clusters = e.ref_clusters.as_deref().unwrap_or(&our_clusters);
        let ref_atoms = atoms(&ours.text, ours.encoding, ref_clusters);
        if reference_algorithm(&ref_atoms, ours.encoding) != reference.per_segment_units {
            failures.push(format!("line {line} [{}]: unexplained: the reference's algorithm does not reproduce it: {}", e.class, show(&e.text)));
            continue;
        }
        let (mine_units, ref_units) = (&mine.per_segment_units, &reference.per_segment_units);
        let example = |why: String| {
            move || {
                format!(
                    "{} | ours {mine_units:?} ref {ref_units:?} | {why}",
                    show(&e.text)
                )
            }
        };
        let mut explained = false;
        // (1) A cluster longer than a part: the reference leaves it whole, overflowing its part.
        let multi = ours.encoding.multi_segment_units();
        let longest = ref_atoms
            .iter()
            .fold((0u32, 0u32), |(best, cur), a| {
                let cur = if a.starts_cluster {
                    a.cost
                } else {
                    cur + a.cost
                };
                (best.max(cur), cur)
            })
            .0;
        if ours.segments > 1
            && longest > multi
            && oracle(&ref_atoms, ours.encoding) != reference.per_segment_units
        {
            deliberate
                .entry("cluster longer than a segment: we cut it between code points")
                .or_default()
                .add(example(format!("longest cluster {longest} units")));
            explained = true;
        }
        // (2) Grapheme rules newer than the reference's Unicode 10 data.
        if e.ref_clusters.is_some() && oracle(&ref_atoms, ours.encoding) != ours.per_segment_units {
            let diffs = differing_clusters(&ours.text, &our_clusters, ref_clusters);
            let mut rules: Vec<&'static str> =
                diffs.iter().filter_map(|c| grapheme_rule(c)).collect();
            rules.sort_unstable();
            rules.dedup();
            for rule in rules {
                let shown: Vec<String> = diffs
                    .iter()
                    .filter(|c| grapheme_rule(c) == Some(rule))
                    .take(2)
                    .map(|c| show(c))
                    .collect();
                deliberate
                    .entry(rule)
                    .or_default()
                    .add(example(format!("clusters {shown:?}")));
                explained = true;
            }
        }
        if !explained {
            failures.push(format!(
                "line {line} [{}]: unexplained difference: ours {:?} reference {:?}: {}",
                e.class,
                mine.per_segment_units,
                reference.per_segment_units,
                show(&e.text)
            ));
        }
    }

    let total = corpus.len();
    let differing: usize = by_corpus_class.values().map(|v| v.1).sum();
    println!("\nsegments differential: {total} messages, {agreed} agree with the reference, {differing} differ deliberately");
    println!("deliberate differences (a message can show more than one):");
    for (name, t) in &deliberate {
        println!("  {:>5}  {name}", t.count);
        for ex in &t.examples {
            println!("           e.g. {ex}");
        }
    }
    println!(
        "messages where the reference's clusters differ from ours (= ICU's): {}",
        cluster_data_differs.count
    );
    println!("disagreements by corpus class:");
    for (class, (n, d)) in &by_corpus_class {
        if *d > 0 {
            println!("  {class:<24} {d:>5} of {n}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} unexplained disagreements with the reference:\n{}",
        failures.len(),
        failures
            .iter()
            .take(usize::MAX)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(agreed + differing, total);
}
