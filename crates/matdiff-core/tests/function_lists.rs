//! The hand-written lists of functions (the README's input language, the fuzz dictionary) checked
//! against the table of functions: each names every function and none that does not exist.

use matdiff_core::syntax::is_function_name;
use matdiff_core::Func;

const README: &str = include_str!("../../../README.md");
const DICT: &str = include_str!("../../../fuzz/matdiff.dict");

/// Words of the README's list that are not function names: the placeholders of `||v||`,
/// `||X||_F`, `vector(c)`, `log(det(X))`, `kron(A, B)` and the name `I` of the identity.
const PLACEHOLDERS: [&str; 7] = ["v", "X", "F", "c", "I", "A", "B"];

/// The identifiers inside backticks of the README's "Functions:" item.
fn readme_names() -> Vec<String> {
    let start = README
        .find("- Functions:")
        .expect("README: the input language has a `- Functions:` item");
    let item = &README[start + 2..];
    let item = &item[..item.find("\n- ").unwrap_or(item.len())];
    item.split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|code| code.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names of the dictionary's call entries (`"name("`, `"log det("`). Entries with a
/// backslash are LaTeX or escaped bytes (`"\\left("`), syntax rather than function names.
fn dict_names() -> Vec<String> {
    DICT.lines()
        .filter_map(|l| l.strip_prefix('"')?.strip_suffix("(\""))
        .filter(|call| !call.contains('\\'))
        .flat_map(|call| call.split([' ', '(']))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every entry of the dictionary is one libFuzzer accepts: printable ASCII between quotes, with
/// `\\`, `\"` and `\xAB` escapes (UTF-8 is written byte by byte).
#[test]
fn fuzz_dictionary_entries_are_valid() {
    for line in DICT
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let inner = line
            .strip_prefix('"')
            .and_then(|l| l.strip_suffix('"'))
            .unwrap_or_else(|| panic!("not a quoted entry: {line}"));
        assert!(inner.bytes().all(|b| (32..127).contains(&b)), "{line}");
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '"' {
                panic!("unescaped quote: {line}");
            }
            if c == '\\' {
                match chars.next() {
                    Some('\\' | '"') => {}
                    Some('x') => {
                        let hex: String = chars.by_ref().take(2).collect();
                        assert!(
                            hex.len() == 2 && hex.chars().all(|h| h.is_ascii_hexdigit()),
                            "{line}"
                        );
                    }
                    _ => panic!("bad escape: {line}"),
                }
            }
        }
    }
}

#[test]
fn readme_lists_every_function_and_no_other() {
    let names = readme_names();
    assert!(names.len() > 20, "{names:?}");
    for f in Func::ALL {
        assert!(
            names.iter().any(|n| n == f.name()),
            "README lacks {}",
            f.name()
        );
    }
    for n in &names {
        assert!(
            is_function_name(n) || PLACEHOLDERS.contains(&n.as_str()),
            "README names {n}, which is not a function"
        );
    }
}

#[test]
fn fuzz_dictionary_has_every_accepted_name_and_no_other() {
    let names = dict_names();
    for f in Func::ALL {
        for name in f.info().accepts {
            assert!(
                names.iter().any(|n| n == name),
                "the dictionary lacks {name}("
            );
        }
    }
    for n in &names {
        assert!(
            is_function_name(n),
            "the dictionary names {n}(, which is not a function"
        );
    }
}
