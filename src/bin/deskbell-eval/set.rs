//! The evaluation sets: the shop's FAQ and labelled visitor messages, each in one of
//! three cross-validation folds. Two layouts:
//!
//! - `tests/fixtures/bot_eval.json`: one file with the FAQ, English and Chinese
//!   messages and a holdout part ([`EvalSet::parse`]);
//! - `tests/fixtures/bot_eval/`: an FAQ file and a message file per shop and language
//!   ([`EvalSet::parse_split`]; their README says which files are blind holdouts).

use std::collections::BTreeMap;

use deskbell::bot::{DecisionLabel, FaqEntry, Intent};
use serde::Deserialize;

/// The file as written.
#[derive(Debug, Deserialize)]
struct File {
    faq: Vec<FileFaq>,
    utterances: BTreeMap<String, Vec<String>>,
    utterances_zh: BTreeMap<String, Vec<String>>,
    holdout: BTreeMap<String, Vec<String>>,
}

/// An FAQ file of `tests/fixtures/bot_eval/`.
#[derive(Debug, Deserialize)]
struct FaqFile {
    faq: Vec<FileFaq>,
}

/// A message file of `tests/fixtures/bot_eval/`.
#[derive(Debug, Deserialize)]
struct MessageFile {
    /// `en` or `zh`.
    lang: String,
    messages: Vec<FileMessage>,
}

#[derive(Debug, Deserialize)]
struct FileMessage {
    text: String,
    label: String,
    /// `direct`, `indirect`, `typo`, `short`, `long`, `mixed`, `person_with_topic`…
    #[serde(default)]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct FileFaq {
    id: u64,
    key: String,
    questions: Vec<String>,
    answer: String,
}

/// What a message should lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// This FAQ entry or built-in intent.
    Label(DecisionLabel),
    /// Not answered: no FAQ answer, no small talk.
    OffTopic,
}

/// One labelled visitor message.
#[derive(Debug, Clone)]
pub struct Utterance {
    /// What the visitor wrote.
    pub text: String,
    /// The label as written in the file.
    pub label: String,
    /// What it should lead to.
    pub expect: Expect,
    /// Cross-validation fold: its index among its label's messages, modulo 3.
    pub fold: usize,
    /// Written in Chinese.
    pub zh: bool,
    /// Written after calibration was frozen; never used to fit anything.
    pub holdout: bool,
}

/// The loaded set.
#[derive(Debug)]
pub struct EvalSet {
    /// The shop's FAQ.
    pub faq: Vec<FaqEntry>,
    /// FAQ keys by id, for printing.
    pub keys: BTreeMap<u64, String>,
    /// Every labelled message.
    pub utterances: Vec<Utterance>,
    /// The kind of each message by its text (the per-shop sets' `kind`; empty for the
    /// older one-file set).
    pub kinds: BTreeMap<String, String>,
}

impl EvalSet {
    /// Parses the set and checks that no test message copies an FAQ example.
    pub fn parse(text: &str) -> Result<EvalSet, String> {
        let file: File = serde_json::from_str(text).map_err(|e| format!("bad eval set: {e}"))?;
        let groups = [
            (false, false, file.utterances),
            (true, false, file.utterances_zh),
            (false, true, file.holdout),
        ];
        EvalSet::assemble(file.faq, groups.into_iter().collect(), true)
    }

    /// Parses an FAQ file and a message file of `tests/fixtures/bot_eval/`; `holdout`
    /// marks the messages as holdout ones.
    pub fn parse_split(faq: &str, messages: &str, holdout: bool) -> Result<EvalSet, String> {
        let faq: FaqFile = serde_json::from_str(faq).map_err(|e| format!("bad FAQ file: {e}"))?;
        let file: MessageFile =
            serde_json::from_str(messages).map_err(|e| format!("bad message file: {e}"))?;
        let mut by_label: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut kinds = BTreeMap::new();
        for m in file.messages {
            kinds.insert(m.text.clone(), m.kind);
            by_label.entry(m.label).or_default().push(m.text);
        }
        let zh = match file.lang.as_str() {
            "en" => false,
            "zh" => true,
            other => return Err(format!("unknown language {other:?}")),
        };
        // Written without seeing deskbell's built-in examples: "hi" may be both.
        let mut set = EvalSet::assemble(faq.faq, vec![(zh, holdout, by_label)], false)?;
        set.kinds = kinds;
        Ok(set)
    }

    /// The set from an FAQ and groups of (Chinese?, holdout?, messages by label). A
    /// message may not copy an FAQ example, nor a built-in intent's if `intents`.
    fn assemble(
        faq: Vec<FileFaq>,
        groups: Vec<(bool, bool, BTreeMap<String, Vec<String>>)>,
        intents: bool,
    ) -> Result<EvalSet, String> {
        let ids: BTreeMap<String, u64> = faq.iter().map(|f| (f.key.clone(), f.id)).collect();
        let keys = faq.iter().map(|f| (f.id, f.key.clone())).collect();
        let faq: Vec<FaqEntry> = faq
            .into_iter()
            .map(|f| FaqEntry {
                id: f.id,
                questions: f.questions,
                answer: f.answer,
            })
            .collect();
        let examples: Vec<String> = faq
            .iter()
            .flat_map(|f| f.questions.iter().map(|q| simplify(q)))
            .chain(
                Intent::ALL
                    .iter()
                    .filter(|_| intents)
                    .flat_map(|i| i.examples().iter().map(|q| simplify(q))),
            )
            .collect();
        let mut utterances = Vec::new();
        for (zh, holdout, groups) in groups {
            for (label, texts) in groups {
                let expect = if label == "off_topic" {
                    Expect::OffTopic
                } else if let Some(id) = ids.get(&label) {
                    Expect::Label(DecisionLabel::Faq(*id))
                } else if let Some(intent) = Intent::from_name(&label) {
                    Expect::Label(DecisionLabel::Intent(intent))
                } else {
                    return Err(format!("unknown label {label:?}"));
                };
                for (i, text) in texts.into_iter().enumerate() {
                    if examples.contains(&simplify(&text)) {
                        return Err(format!("{text:?} copies an example phrasing"));
                    }
                    let label = label.clone();
                    utterances.push(Utterance {
                        text,
                        label,
                        expect,
                        fold: i % 3,
                        zh,
                        holdout,
                    });
                }
            }
        }
        Ok(EvalSet {
            faq,
            keys,
            utterances,
            kinds: BTreeMap::new(),
        })
    }

    /// A decision label as the set's name for it.
    pub fn name(&self, label: DecisionLabel) -> String {
        match label {
            DecisionLabel::Faq(id) => self.keys.get(&id).cloned().unwrap_or(id.to_string()),
            DecisionLabel::Intent(i) => i.name().to_owned(),
            DecisionLabel::None => "none".to_owned(),
        }
    }
}

/// Lowercase letters, digits and single spaces: two texts that only differ in case and
/// punctuation are copies.
fn simplify(text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}
