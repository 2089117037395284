//! The one pass of a report: [`Tally::add`] reads one conversation and its messages
//! and updates every section's counters; [`Tally::finish`] turns them into the
//! [`Report`]. Pure (no store, no clock); the figures' meanings are in `super`.

use std::collections::HashMap;

use super::csat::CsatTally;
use super::period::Period;
use super::questions::QuestionGroups;
use super::sections::{
    AgentRow, Counts, DayRow, Deflection, Durations, FaqRow, MAX_ROWS, PeriodView, Report,
};
use crate::store::records::{ConversationV1, MessageV1};
use crate::store::values::{StoredAuthorKind, StoredEvent, StoredHandoffReason, StoredStatus};

/// Counters of every section.
pub struct Tally<'p> {
    /// The period (days, zone).
    period: &'p Period,
    /// Totals.
    totals: Counts,
    /// Per day of the period.
    days: Vec<Counts>,
    /// First response times, ms.
    first_responses: Vec<u64>,
    /// Resolution times, ms.
    resolutions: Vec<u64>,
    /// Closed bot-only conversations.
    resolved_by_bot: u64,
    /// Agent id → (conversations, replies).
    agents: HashMap<u64, (u64, u64)>,
    /// FAQ id → bot answers.
    faq: HashMap<u64, u64>,
    /// Questions the bot could not answer.
    unanswered: QuestionGroups,
    /// Ratings.
    csat: CsatTally,
    /// Visitor messages by weekday and hour.
    hours: Vec<[u64; 24]>,
}

/// Which kind of conversation it was (see `super`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    BotOnly,
    HandedOff,
    Agent,
}

/// What one conversation's messages say about it.
#[derive(Default)]
struct Walk {
    /// The visitor's first message.
    first_visitor_ms: Option<u64>,
    /// The first agent reply after it.
    first_reply_ms: Option<u64>,
    /// The last close.
    closed_ms: Option<u64>,
    /// The bot wrote in it.
    bot_wrote: bool,
    /// The bot handed it off.
    handed_off: bool,
    /// Agents who took part, with their replies, in order of first appearance.
    agents: Vec<(u64, u64)>,
}

impl Walk {
    fn agent(&mut self, id: u64) -> &mut (u64, u64) {
        let at = match self.agents.iter().position(|(a, _)| *a == id) {
            Some(at) => at,
            None => {
                self.agents.push((id, 0));
                self.agents.len() - 1
            }
        };
        &mut self.agents[at]
    }
}

/// The nearest-rank `pct` percentile of sorted `values`.
fn percentile(sorted: &[u64], pct: usize) -> Option<u64> {
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn durations(mut values: Vec<u64>) -> Durations {
    values.sort_unstable();
    Durations {
        count: values.len() as u64,
        median_ms: percentile(&values, 50),
        p90_ms: percentile(&values, 90),
    }
}

impl Counts {
    fn add(&mut self, kind: Kind) {
        self.conversations += 1;
        match kind {
            Kind::BotOnly => self.bot_only += 1,
            Kind::HandedOff => self.handed_off += 1,
            Kind::Agent => self.agent += 1,
        }
    }
}

impl<'p> Tally<'p> {
    /// Empty counters for `period`.
    pub fn new(period: &'p Period) -> Tally<'p> {
        Tally {
            period,
            totals: Counts::default(),
            days: vec![Counts::default(); period.days()],
            first_responses: Vec::new(),
            resolutions: Vec::new(),
            resolved_by_bot: 0,
            agents: HashMap::new(),
            faq: HashMap::new(),
            unanswered: QuestionGroups::default(),
            csat: CsatTally::default(),
            hours: vec![[0; 24]; 7],
        }
    }

    /// Counts one conversation created in the period, with its messages by seq.
    pub fn add(&mut self, c: &ConversationV1, messages: &[(u64, MessageV1)], rating: Option<u8>) {
        let mut walk = Walk::default();
        // The latest visitor message, until a hand-off or suggestion names it.
        let mut asked: Option<&MessageV1> = None;
        let mut asked_counted = false;
        for (_, m) in messages {
            match (m.author_kind, &m.event) {
                (StoredAuthorKind::Visitor, None | Some(StoredEvent::Attachments { .. })) => {
                    walk.first_visitor_ms.get_or_insert(m.at_ms);
                    self.count_hour(m.at_ms);
                    asked = Some(m);
                    asked_counted = false;
                }
                (StoredAuthorKind::Agent, None | Some(StoredEvent::Attachments { .. })) => {
                    if walk.first_visitor_ms.is_some() {
                        walk.first_reply_ms.get_or_insert(m.at_ms);
                    }
                    walk.agent(m.author_id).1 += 1;
                }
                (_, Some(StoredEvent::Assigned { agent })) => {
                    walk.agent(*agent);
                }
                (_, Some(StoredEvent::Transferred { to, .. })) => {
                    walk.agent(*to);
                }
                (_, Some(StoredEvent::Closed { .. })) => walk.closed_ms = Some(m.at_ms),
                (_, Some(StoredEvent::BotAnswer { faq_id })) => {
                    *self.faq.entry(*faq_id).or_default() += 1;
                }
                (_, Some(StoredEvent::HandedOff { reason })) => {
                    walk.handed_off = true;
                    let unsure = *reason == StoredHandoffReason::LowConfidence;
                    if let Some(question) = asked.filter(|_| unsure && !asked_counted) {
                        self.unanswered.add(&question.body, question.at_ms);
                        asked_counted = true;
                    }
                }
                _ => {}
            }
            walk.bot_wrote |= m.author_kind == StoredAuthorKind::Bot;
        }
        self.count_conversation(c, &walk);
        self.csat.add(rating);
    }

    fn count_hour(&mut self, at_ms: u64) {
        if at_ms >= self.period.from_ms && at_ms < self.period.until_ms {
            let (weekday, hour) = self.period.weekday_hour(at_ms);
            self.hours[weekday][hour] += 1;
        }
    }

    fn count_conversation(&mut self, c: &ConversationV1, walk: &Walk) {
        let kind = if !walk.agents.is_empty() {
            Kind::Agent
        } else if walk.bot_wrote && !walk.handed_off && c.status != StoredStatus::Queued {
            Kind::BotOnly
        } else {
            Kind::HandedOff
        };
        self.totals.add(kind);
        if let Some(day) = self.period.day_index(c.created_ms) {
            self.days[day].add(kind);
        }
        if let (Some(asked), Some(replied)) = (walk.first_visitor_ms, walk.first_reply_ms) {
            self.first_responses.push(replied.saturating_sub(asked));
        }
        if c.status == StoredStatus::Closed {
            let closed = walk.closed_ms.unwrap_or(c.updated_ms);
            self.resolutions.push(closed.saturating_sub(c.created_ms));
            if kind == Kind::BotOnly {
                self.resolved_by_bot += 1;
            }
        }
        for (agent, replies) in &walk.agents {
            let row = self.agents.entry(*agent).or_default();
            row.0 += 1;
            row.1 += replies;
        }
    }

    /// The report, with agents' names and FAQ entries' first questions.
    pub fn finish(
        self,
        period: PeriodView,
        names: &HashMap<u64, String>,
        questions: &HashMap<u64, String>,
    ) -> Report {
        let per_day = self
            .days
            .iter()
            .enumerate()
            .map(|(i, counts)| DayRow {
                day: self.period.day_label(i),
                counts: *counts,
            })
            .collect();
        let mut agents: Vec<AgentRow> = self
            .agents
            .iter()
            .map(|(id, (conversations, replies))| AgentRow {
                agent: *id,
                name: names.get(id).cloned().unwrap_or_default(),
                conversations: *conversations,
                replies: *replies,
            })
            .collect();
        agents.sort_by(|a, b| {
            (b.conversations, b.replies, a.agent).cmp(&(a.conversations, a.replies, b.agent))
        });
        let mut faq: Vec<FaqRow> = self
            .faq
            .iter()
            .map(|(id, answers)| FaqRow {
                faq_id: *id,
                question: questions.get(id).cloned().unwrap_or_default(),
                answers: *answers,
            })
            .collect();
        faq.sort_by(|a, b| (b.answers, a.faq_id).cmp(&(a.answers, b.faq_id)));
        faq.truncate(MAX_ROWS);
        let conversations = self.totals.conversations;
        Report {
            period,
            totals: self.totals,
            per_day,
            first_response: durations(self.first_responses),
            resolution: durations(self.resolutions),
            deflection: Deflection {
                resolved_by_bot: self.resolved_by_bot,
                conversations,
                share: match conversations {
                    0 => 0.0,
                    n => self.resolved_by_bot as f64 / n as f64,
                },
            },
            agents,
            faq,
            unanswered: self.unanswered.finish(MAX_ROWS),
            csat: self.csat.finish(),
            busiest_hours: self.hours,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 90), Some(7));
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50), Some(5));
        assert_eq!(percentile(&ten, 90), Some(9));
        let eleven: Vec<u64> = (1..=11).collect();
        assert_eq!(percentile(&eleven, 50), Some(6));
        assert_eq!(percentile(&eleven, 90), Some(10));
    }
}
