//! The life cycle of a project idea (Projektidee) as an explicit state machine.
//!
//! ```text
//!  draft ──submit──> submitted ──publish──> published ──review──> under_review ──decide──> accepted
//!    │                  │  │                   │  │                   │  │                  rejected
//!    │                  │  └──reject (PM)──────┼──┼───────────────────┼──┼──> rejected        │
//!    └──────────────────┴────────withdraw──────┴──┼─────withdraw──────┘  │                   │
//!                                                 └──merge──> merged <───┘    reopen (PM, while
//!                                                                             the answer is unpublished)
//! ```
//!
//! Who may take a step is a [`Party`]: the idea's author, a moderator, a process manager, the
//! reviewer assigned to the idea, or the system (publishing without moderation). Staff never
//! act on an idea they wrote themselves ("nobody moderates their own content"): that rule lives
//! in [`may`] together with the table, so that no caller can forget it.
//!
//! Accepted and rejected are decisions; the public learns of them only when the official answer
//! is published ([`public_state`]). Until then a decision may be reopened.

use serde::{Deserialize, Serialize};

/// Where an idea is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdeaState {
    /// Written, seen only by its author (Entwurf).
    Draft,
    /// Handed in, waiting for moderation (eingereicht).
    Submitted,
    /// Public, open for comments and supports (veröffentlicht).
    Published,
    /// Being evaluated by the administration (in Prüfung).
    UnderReview,
    /// Taken into the action plan (angenommen).
    Accepted,
    /// Not taken (abgelehnt).
    Rejected,
    /// Merged into another idea (zusammengeführt).
    Merged,
    /// Withdrawn by its author (zurückgezogen).
    Withdrawn,
}

impl IdeaState {
    /// Every state, in life-cycle order.
    pub const ALL: [IdeaState; 8] = [
        IdeaState::Draft,
        IdeaState::Submitted,
        IdeaState::Published,
        IdeaState::UnderReview,
        IdeaState::Accepted,
        IdeaState::Rejected,
        IdeaState::Merged,
        IdeaState::Withdrawn,
    ];

    /// The stored form (`draft`, `under_review` …).
    pub fn as_str(self) -> &'static str {
        match self {
            IdeaState::Draft => "draft",
            IdeaState::Submitted => "submitted",
            IdeaState::Published => "published",
            IdeaState::UnderReview => "under_review",
            IdeaState::Accepted => "accepted",
            IdeaState::Rejected => "rejected",
            IdeaState::Merged => "merged",
            IdeaState::Withdrawn => "withdrawn",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<IdeaState> {
        IdeaState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Accepted or rejected: a decision that needs an official answer.
    pub fn is_decision(self) -> bool {
        matches!(self, IdeaState::Accepted | IdeaState::Rejected)
    }

    /// No step leads out of it (for decisions: once the answer is published).
    pub fn is_final(self, answer_published: bool) -> bool {
        match self {
            IdeaState::Merged | IdeaState::Withdrawn => true,
            IdeaState::Accepted | IdeaState::Rejected => answer_published,
            _ => false,
        }
    }

    /// The author may still change the text (until the idea is answered).
    pub fn author_may_edit(self) -> bool {
        matches!(
            self,
            IdeaState::Draft | IdeaState::Submitted | IdeaState::Published | IdeaState::UnderReview
        )
    }

    /// Supports and comments are taken in this (public) state.
    pub fn open_for_engagement(self) -> bool {
        matches!(self, IdeaState::Published | IdeaState::UnderReview)
    }
}

/// Who asks for a step of the life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The idea's author.
    Author,
    /// A moderator.
    Moderator,
    /// A process manager (city staff running the process).
    ProcessManager,
    /// The reviewer the idea is assigned to.
    AssignedReviewer,
    /// The program itself (publishing when the process does not moderate first).
    System,
}

impl Party {
    /// Every party.
    pub const ALL: [Party; 5] = [
        Party::Author,
        Party::Moderator,
        Party::ProcessManager,
        Party::AssignedReviewer,
        Party::System,
    ];

    /// Staff acting in an office, to whom the own-content rule applies.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Party::Moderator | Party::ProcessManager | Party::AssignedReviewer
        )
    }

    /// The stored form, used in the history (`author`, `moderator` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Author => "author",
            Party::Moderator => "moderator",
            Party::ProcessManager => "process-manager",
            Party::AssignedReviewer => "reviewer",
            Party::System => "system",
        }
    }
}

/// The transition table: the parties that may move an idea from `from` to `to`.
/// Empty: the step does not exist.
pub fn parties(from: IdeaState, to: IdeaState) -> &'static [Party] {
    use IdeaState::*;
    use Party::*;
    match (from, to) {
        (Draft, Submitted) => &[Author],
        (Draft, Withdrawn) => &[Author],
        (Submitted, Published) => &[Moderator, ProcessManager, System],
        (Submitted, Rejected) => &[ProcessManager],
        (Submitted, Withdrawn) => &[Author],
        (Published, UnderReview) => &[ProcessManager],
        (Published, Merged) => &[ProcessManager],
        (Published, Withdrawn) => &[Author],
        (UnderReview, Accepted) => &[ProcessManager, AssignedReviewer],
        (UnderReview, Rejected) => &[ProcessManager, AssignedReviewer],
        (UnderReview, Merged) => &[ProcessManager],
        (UnderReview, Withdrawn) => &[Author],
        (Accepted, UnderReview) => &[ProcessManager],
        (Rejected, UnderReview) => &[ProcessManager],
        _ => &[],
    }
}

/// Why a step is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// There is no such step in the life cycle.
    NoSuchStep,
    /// The step exists, but not for this party.
    NotYourStep,
    /// Staff acting on their own idea.
    OwnContent,
    /// A decision whose answer is published is final.
    AnswerPublished,
}

/// May `party` move an idea from `from` to `to`? `own` is true when the acting person wrote the
/// idea; `answer_published` whether the official answer is public.
pub fn may(
    from: IdeaState,
    to: IdeaState,
    party: Party,
    own: bool,
    answer_published: bool,
) -> Result<(), Refusal> {
    let allowed = parties(from, to);
    if allowed.is_empty() {
        return Err(Refusal::NoSuchStep);
    }
    if !allowed.contains(&party) {
        return Err(Refusal::NotYourStep);
    }
    if party.is_staff() && own {
        return Err(Refusal::OwnContent);
    }
    if from.is_decision() && answer_published {
        return Err(Refusal::AnswerPublished);
    }
    Ok(())
}

/// The steps out of `from`, in life-cycle order.
pub fn next_states(from: IdeaState) -> Vec<IdeaState> {
    IdeaState::ALL
        .into_iter()
        .filter(|&to| !parties(from, to).is_empty())
        .collect()
}

/// What the public sees: a decision stays "under review" until its answer is published.
pub fn public_state(state: IdeaState, answer_published: bool) -> IdeaState {
    if state.is_decision() && !answer_published {
        IdeaState::UnderReview
    } else {
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The life cycle written down a second time, as text, independently of the match above.
    const TABLE: &str = "
        draft        submitted     author
        draft        withdrawn     author
        submitted    published     moderator process-manager system
        submitted    rejected      process-manager
        submitted    withdrawn     author
        published    under_review  process-manager
        published    merged        process-manager
        published    withdrawn     author
        under_review accepted      process-manager reviewer
        under_review rejected      process-manager reviewer
        under_review merged        process-manager
        under_review withdrawn     author
        accepted     under_review  process-manager
        rejected     under_review  process-manager
    ";

    fn expected(from: IdeaState, to: IdeaState, party: Party) -> bool {
        TABLE.lines().any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() >= 3
                && w[0] == from.as_str()
                && w[1] == to.as_str()
                && w[2..].contains(&party.as_str())
        })
    }

    #[test]
    fn every_pair_every_party_every_flag() {
        let mut allowed = 0;
        for from in IdeaState::ALL {
            for to in IdeaState::ALL {
                for party in Party::ALL {
                    for own in [false, true] {
                        for published in [false, true] {
                            let got = may(from, to, party, own, published);
                            let want = expected(from, to, party)
                                && !(own && party.is_staff())
                                && !(from.is_decision() && published);
                            assert_eq!(
                                got.is_ok(),
                                want,
                                "{from:?} -> {to:?} by {party:?} (own {own}, answer published {published}): {got:?}"
                            );
                            if got.is_ok() {
                                allowed += 1;
                            }
                        }
                    }
                }
            }
        }
        // 14 steps with 18 (step, party) pairs; each allowed for 1, 2 or 4 flag combinations.
        assert_eq!(allowed, 46);
    }

    #[test]
    fn refusals_say_why() {
        use IdeaState::*;
        assert_eq!(
            may(Draft, Accepted, Party::ProcessManager, false, false),
            Err(Refusal::NoSuchStep)
        );
        assert_eq!(
            may(Submitted, Published, Party::Author, true, false),
            Err(Refusal::NotYourStep)
        );
        assert_eq!(
            may(Submitted, Published, Party::Moderator, true, false),
            Err(Refusal::OwnContent)
        );
        assert_eq!(
            may(Accepted, UnderReview, Party::ProcessManager, false, true),
            Err(Refusal::AnswerPublished)
        );
        // The author withdraws their own idea: not staff, so "own" is no obstacle.
        assert_eq!(
            may(Published, Withdrawn, Party::Author, true, false),
            Ok(())
        );
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        for s in [IdeaState::Merged, IdeaState::Withdrawn] {
            assert!(next_states(s).is_empty(), "{s:?}");
            assert!(s.is_final(false));
        }
        assert!(!IdeaState::Accepted.is_final(false));
        assert!(IdeaState::Accepted.is_final(true));
        // Every state but the terminal ones can be left; every state but draft can be reached.
        for s in IdeaState::ALL {
            let reachable = IdeaState::ALL.iter().any(|&f| !parties(f, s).is_empty());
            assert_eq!(reachable, s != IdeaState::Draft, "{s:?}");
        }
    }

    #[test]
    fn decisions_are_public_only_with_their_answer() {
        for s in IdeaState::ALL {
            for p in [false, true] {
                let shown = public_state(s, p);
                if s.is_decision() && !p {
                    assert_eq!(shown, IdeaState::UnderReview);
                } else {
                    assert_eq!(shown, s);
                }
            }
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for s in IdeaState::ALL {
            assert_eq!(IdeaState::parse(s.as_str()), Some(s));
        }
        assert_eq!(IdeaState::parse("Accepted"), None);
    }
}
