//! Scoring the decisions: accuracy and rejection per group of messages, mistakes,
//! latency percentiles, and the embedding dump.

use std::path::Path;

use deskbell::bot::{Decision, DecisionLabel, Matcher};
use deskbell::intent::{Embedder, Embedding};

use crate::set::{EvalSet, Expect, Utterance};

/// One message with its embedding and the decision under the default thresholds.
pub struct Sample {
    /// The labelled message.
    pub u: Utterance,
    /// Its embedding.
    pub v: Embedding,
    /// What the bot decided.
    pub decision: Decision,
}

impl Sample {
    pub fn new(u: Utterance, v: Embedding, decision: Decision) -> Sample {
        Sample { u, v, decision }
    }
}

/// Whether an off-topic message was kept away from both the visitor and the agent's
/// suggestions (a hand-off: low confidence, or a request for a person).
fn rejected(d: &Decision) -> bool {
    matches!(d, Decision::Handoff { .. })
}

/// Which messages a reported group holds.
type Group = fn(&Utterance) -> bool;

/// Counts over a group of messages.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    /// Labelled (not off-topic) messages.
    pub in_domain: usize,
    /// ... whose decision has the right label (answered, suggested first, or handed off).
    pub correct: usize,
    /// ... answered to the visitor with the right answer or small talk.
    pub answered_right: usize,
    /// ... answered to the visitor with the wrong answer.
    pub answered_wrong: usize,
    /// Off-topic messages.
    pub off_topic: usize,
    /// ... not answered to the visitor (handed off, or only suggested to the agent).
    pub not_answered: usize,
    /// ... handed off with no answer and no suggestion.
    pub rejected: usize,
}

impl Summary {
    pub fn add(&mut self, u: &Utterance, d: &Decision) {
        match u.expect {
            Expect::Label(label) => {
                self.in_domain += 1;
                let right = d.label() == label;
                self.correct += usize::from(right);
                if d.replies_to_visitor() {
                    self.answered_right += usize::from(right);
                    self.answered_wrong += usize::from(!right);
                }
            }
            Expect::OffTopic => {
                self.off_topic += 1;
                self.not_answered += usize::from(!d.replies_to_visitor());
                self.rejected += usize::from(rejected(d));
            }
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &Summary) {
        self.in_domain += other.in_domain;
        self.correct += other.correct;
        self.answered_right += other.answered_right;
        self.answered_wrong += other.answered_wrong;
        self.off_topic += other.off_topic;
        self.not_answered += other.not_answered;
        self.rejected += other.rejected;
    }

    pub fn top1(&self) -> f64 {
        ratio(self.correct, self.in_domain)
    }

    /// Off-topic messages not answered to the visitor.
    pub fn not_answered(&self) -> f64 {
        ratio(self.not_answered, self.off_topic)
    }

    /// Off-topic messages neither answered nor suggested.
    pub fn rejection(&self) -> f64 {
        ratio(self.rejected, self.off_topic)
    }

    pub fn line(&self, name: &str) -> String {
        let mut line = format!("{name:<16}");
        if self.in_domain > 0 {
            line += &format!(
                " top-1 {:>3}/{:<3} = {:5.1} % (answered right {:>3} = {:4.1} %, wrong {})",
                self.correct,
                self.in_domain,
                100.0 * self.top1(),
                self.answered_right,
                100.0 * ratio(self.answered_right, self.in_domain),
                self.answered_wrong,
            );
        }
        if self.off_topic > 0 {
            line += &format!(
                " | off-topic not answered {:>2}/{:<2} = {:5.1} %, nor suggested {:>2} = {:5.1} %",
                self.not_answered,
                self.off_topic,
                100.0 * self.not_answered(),
                self.rejected,
                100.0 * self.rejection(),
            );
        }
        line
    }

    /// Prints the figures per split and language, and per label.
    pub fn print_all(samples: &[Sample]) {
        let groups: [(&str, Group); 5] = [
            ("English", |u| !u.zh && !u.holdout),
            ("English holdout", |u| !u.zh && u.holdout),
            ("Chinese chat", |u| {
                u.zh && !u.holdout && !matches!(u.expect, Expect::Label(DecisionLabel::Faq(_)))
            }),
            ("Chinese FAQ", |u| {
                u.zh && !u.holdout && matches!(u.expect, Expect::Label(DecisionLabel::Faq(_)))
            }),
            ("Chinese holdout", |u| u.zh && u.holdout),
        ];
        for (name, keep) in groups {
            let mut s = Summary::default();
            for x in samples.iter().filter(|x| keep(&x.u)) {
                s.add(&x.u, &x.decision);
            }
            if s.in_domain + s.off_topic > 0 {
                println!("{}", s.line(name));
            }
        }
        let mut labels: Vec<&str> = samples.iter().map(|x| x.u.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        let mut row = Vec::new();
        for label in labels {
            let mut s = Summary::default();
            for x in samples
                .iter()
                .filter(|x| x.u.label == label && !x.u.zh && !x.u.holdout)
            {
                s.add(&x.u, &x.decision);
            }
            let (ok, n) = match s.off_topic {
                0 => (s.correct, s.in_domain),
                _ => (s.not_answered, s.off_topic),
            };
            if n > 0 {
                row.push(format!("{label} {ok}/{n}"));
            }
        }
        println!("per label (English, not holdout): {}", row.join(", "));
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Short form of a decision for the mistakes list.
fn describe(d: &Decision, set: &EvalSet) -> String {
    match d {
        Decision::Answer { score, .. } => format!("answer {} ({score:.2})", set.name(d.label())),
        Decision::Suggest { candidates } => {
            let c: Vec<String> = candidates
                .iter()
                .map(|c| format!("{} {:.2}", set.name(DecisionLabel::Faq(c.faq_id)), c.score))
                .collect();
            format!("suggest [{}]", c.join(", "))
        }
        Decision::Handoff { reason } => format!("handoff {reason:?}"),
        Decision::SmallTalk { intent, .. } => format!("small talk {}", intent.name()),
    }
}

/// Every message whose decision is wrong, with what the bot did.
pub fn print_mistakes(samples: &[Sample], set: &EvalSet) {
    println!("mistakes:");
    for x in samples {
        let wrong = match x.u.expect {
            Expect::Label(label) => x.decision.label() != label,
            Expect::OffTopic => !rejected(&x.decision),
        };
        if wrong {
            println!(
                "  {}{:<14} {:?} → {}",
                if x.u.holdout { "[holdout] " } else { "" },
                x.u.label,
                x.u.text,
                describe(&x.decision, set)
            );
        }
    }
}

/// One line per message, tab-separated: `label`, its number, the decision's kind and
/// top-1 label, the text.
pub fn print_labels(samples: &[Sample], set: &EvalSet) {
    for (i, x) in samples.iter().enumerate() {
        let kind = x.decision.kind();
        let label = set.name(x.decision.label());
        println!("label\t{i}\t{kind}\t{label}\t{:?}", x.u.text);
    }
}

/// p50/p90/p99/max of per-message latencies (milliseconds).
pub fn print_latency(latencies: &mut [f64], batch_ms: f64) {
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(i).copied().unwrap_or(0.0)
    };
    println!(
        "latency per message, one thread (tokenize + model + decide), {} runs: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; in padded batches of 16: {:.2} ms per message",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
        batch_ms
    );
}

/// Writes every embedding with its label, and the FAQ and intent examples, as JSON.
pub fn dump(
    path: &Path,
    embedder: &Embedder,
    set: &EvalSet,
    samples: &[Sample],
) -> Result<(), String> {
    use deskbell::intent::Embed;
    let embed = |texts: Vec<&str>| embedder.embed(&texts).map_err(|e| e.to_string());
    let mut faq = Vec::new();
    for entry in &set.faq {
        let v = embed(entry.questions.iter().map(String::as_str).collect())?;
        let answer = embed(vec![entry.answer.as_str()])?;
        faq.push(serde_json::json!({"id": entry.id, "key": set.name(DecisionLabel::Faq(entry.id)), "questions": entry.questions, "vectors": v.iter().map(|e| e.to_vec()).collect::<Vec<_>>(), "answer": entry.answer, "answer_vector": answer[0].to_vec()}));
    }
    let examples = Matcher::intent_examples();
    let v = embed(examples.iter().map(|(_, t)| *t).collect())?;
    let intents: Vec<_> = examples
        .iter()
        .zip(&v)
        .map(|((i, t), e)| serde_json::json!({"intent": i.name(), "text": t, "vector": e.to_vec()}))
        .collect();
    let utterances: Vec<_> = samples
        .iter()
        .map(|x| serde_json::json!({"text": x.u.text, "label": x.u.label, "fold": x.u.fold, "zh": x.u.zh, "vector": x.v.to_vec()}))
        .collect();
    let json = serde_json::json!({"faq": faq, "intents": intents, "utterances": utterances});
    std::fs::write(path, json.to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}
