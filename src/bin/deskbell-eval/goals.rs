//! Issue #12's goals for one case of the per-shop sets: FAQ questions ranked right first
//! and answered right, wrong answers over all messages, requests for a person and
//! complaints that reached a person, off-topic messages not answered, small talk, and
//! FAQ questions per kind (direct, indirect, typo…).

use std::collections::BTreeMap;

use deskbell::bot::{Decision, DecisionLabel, HandoffReason, Intent, Matcher};

use crate::score::Sample;
use crate::set::{EvalSet, Expect};

/// Counts for one case.
#[derive(Debug, Default)]
struct Goals {
    /// Every message.
    messages: usize,
    /// FAQ questions.
    faq: usize,
    /// ... whose right entry scored best.
    ranked_first: usize,
    /// ... answered to the visitor with the right entry.
    answered_right: usize,
    /// ... not answered, but the right entry among the "Did you mean…?" choices.
    offered_right: usize,
    /// Messages that are not FAQ questions but got "Did you mean…?" choices.
    offered_needlessly: usize,
    /// Replies to the visitor that were wrong: another entry's answer, an answer to a
    /// request for a person, to small talk or off-topic, small talk to a question.
    wrong: usize,
    /// Requests for a person and complaints about the bot.
    person: usize,
    /// ... handed off as such (`HumanRequested` / `Frustrated`).
    person_handed_off: usize,
    /// ... that reached the agents at all (any hand-off or suggestion).
    person_queued: usize,
    /// Off-topic messages.
    off_topic: usize,
    /// ... not answered to the visitor.
    off_topic_not_answered: usize,
    /// Greetings, thanks, goodbyes and "are you a bot".
    small_talk: usize,
    /// ... replied with the right small talk.
    small_talk_right: usize,
    /// FAQ questions per kind: (count, ranked first, answered right).
    kinds: BTreeMap<String, (usize, usize, usize)>,
}

/// Prints the goals table for `samples` of `set` scored by `matcher`.
pub fn print(matcher: &Matcher, samples: &[Sample], set: &EvalSet) {
    let mut g = Goals::default();
    for x in samples {
        g.messages += 1;
        let d = &x.decision;
        let replied = d.replies_to_visitor();
        match x.u.expect {
            Expect::Label(DecisionLabel::Faq(id)) => {
                g.faq += 1;
                let scores = matcher.scores(&x.u.text, &x.v);
                let first = scores.faq.first().is_some_and(|f| f.faq_id == id);
                let right = matches!(d, Decision::Answer { faq_id, .. } if *faq_id == id);
                g.ranked_first += usize::from(first);
                g.answered_right += usize::from(right);
                g.offered_right += usize::from(offered(d, id));
                g.wrong += usize::from(replied && !right);
                let kind = set.kinds.get(&x.u.text).cloned().unwrap_or_default();
                let slot = g.kinds.entry(kind).or_default();
                slot.0 += 1;
                slot.1 += usize::from(first);
                slot.2 += usize::from(right);
            }
            Expect::Label(DecisionLabel::Intent(Intent::HumanRequest | Intent::Frustration)) => {
                g.person += 1;
                g.wrong += usize::from(replied);
                g.offered_needlessly += usize::from(matches!(d, Decision::Suggest { .. }));
                g.person_handed_off += usize::from(matches!(
                    d,
                    Decision::Handoff {
                        reason: HandoffReason::HumanRequested | HandoffReason::Frustrated
                    }
                ));
                g.person_queued += usize::from(!replied);
            }
            Expect::Label(label) => {
                g.small_talk += 1;
                let right = replied && d.label() == label;
                g.small_talk_right += usize::from(right);
                g.wrong += usize::from(matches!(d, Decision::Answer { .. }));
            }
            Expect::OffTopic => {
                g.off_topic += 1;
                g.off_topic_not_answered += usize::from(!replied);
                g.offered_needlessly += usize::from(matches!(d, Decision::Suggest { .. }));
                g.wrong += usize::from(matches!(d, Decision::Answer { .. }));
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!("goals (issue #12):");
    println!(
        "  FAQ questions ranked right first  {:>3}/{:<3} = {:5.1} %   (goal >= 90 %)",
        g.ranked_first,
        g.faq,
        pct(g.ranked_first, g.faq)
    );
    println!(
        "  FAQ questions answered right      {:>3}/{:<3} = {:5.1} %   (goal >= 85 %)",
        g.answered_right,
        g.faq,
        pct(g.answered_right, g.faq)
    );
    println!(
        "  ... or the right entry offered as a choice  {:>3}/{:<3} = {:5.1} %   (served in one tap)",
        g.answered_right + g.offered_right,
        g.faq,
        pct(g.answered_right + g.offered_right, g.faq)
    );
    println!(
        "  choices offered to person requests and off-topic messages {}/{}",
        g.offered_needlessly,
        g.person + g.off_topic
    );
    println!(
        "  wrong replies over all messages   {:>3}/{:<3} = {:5.1} %   (goal <= 2 %)",
        g.wrong,
        g.messages,
        pct(g.wrong, g.messages)
    );
    println!(
        "  person requests + complaints: handed off {}/{}, reached the agents {}/{}   (goal: all)",
        g.person_handed_off, g.person, g.person_queued, g.person
    );
    println!(
        "  off-topic not answered            {:>3}/{:<3} = {:5.1} %   (goal: all)",
        g.off_topic_not_answered,
        g.off_topic,
        pct(g.off_topic_not_answered, g.off_topic)
    );
    println!(
        "  small talk replied right          {:>3}/{:<3}",
        g.small_talk_right, g.small_talk
    );
    let kinds: Vec<String> = g
        .kinds
        .iter()
        .map(|(k, (n, first, right))| format!("{k} {right}/{first}/{n}"))
        .collect();
    println!(
        "  FAQ questions per kind (answered right / ranked first / all): {}",
        kinds.join(", ")
    );
}

/// Whether `d` offers entry `id` to the visitor as a "Did you mean…?" choice.
fn offered(d: &Decision, id: u64) -> bool {
    matches!(d, Decision::Suggest { candidates } if candidates.iter().any(|c| c.faq_id == id))
}
