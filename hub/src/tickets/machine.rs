//! The ticket state machine (`docs/service-tickets.md`), pure: no store, no clock.
//!
//! Every transition is in [`Action::allowed_from`]; anything else is refused
//! with the current status named. The first staff member to accept (or
//! refer) a ticket becomes its first-responsible person (首问责任人) and stays
//! so for good; transfers change only the handler.

use protocol::TicketStatus::{self, *};

/// Longest reply, result or reason text (it travels in `svc/ack`, ≤ 4 KiB).
pub const MAX_TEXT_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// 受理: take the ticket; the actor becomes first-responsible.
    Accept,
    /// 转办: hand it to another handler; the first-responsible person stays.
    Transfer { to: String },
    /// A message to the requester; `wait` puts the ticket in waiting_user
    /// (待补充材料), otherwise it is in progress.
    Reply { text: String, wait: bool },
    /// 办结, with the result told to the requester.
    Resolve { result: String },
    /// 回访/关闭. Terminal.
    Close { note: String },
    /// The requester is not satisfied: back to in progress.
    Reopen { reason: String },
    /// 不予受理/转他部门: out of scope, with the referral told to the requester.
    Refer { reason: String },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Transfer { .. } => "transfer",
            Action::Reply { .. } => "reply",
            Action::Resolve { .. } => "resolve",
            Action::Close { .. } => "close",
            Action::Reopen { .. } => "reopen",
            Action::Refer { .. } => "refer",
        }
    }

    /// The statuses this action may start from.
    pub fn allowed_from(&self) -> &'static [TicketStatus] {
        match self {
            Action::Accept => &[Submitted],
            Action::Transfer { .. } | Action::Reply { .. } | Action::Resolve { .. } => {
                &[Accepted, InProgress, WaitingUser]
            }
            Action::Close { .. } | Action::Reopen { .. } => &[Resolved],
            Action::Refer { .. } => &[Submitted, Accepted],
        }
    }

    /// The text recorded in the log (and, for some actions, told to the requester).
    pub fn note(&self) -> &str {
        match self {
            Action::Accept => "",
            Action::Transfer { to } => to,
            Action::Reply { text, .. } => text,
            Action::Resolve { result } => result,
            Action::Close { note } => note,
            Action::Reopen { reason } | Action::Refer { reason } => reason,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} a ticket that is {from} (allowed from: {allowed})")]
    NotAllowed { action: &'static str, from: &'static str, allowed: String },
    #[error("say who you are (--as <name>)")]
    NoActor,
    #[error("{0} needs a text")]
    NoText(&'static str),
    #[error("text is {0} characters; the limit is {MAX_TEXT_CHARS}")]
    TextTooLong(usize),
    #[error("the ticket is already handled by {0}")]
    SameHandler(String),
}

/// The parts of a ticket the machine changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketState {
    pub status: TicketStatus,
    pub first_responder: Option<String>,
    pub handler: Option<String>,
    pub reply: Option<String>,
    pub responded_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
}

impl TicketState {
    pub fn submitted() -> TicketState {
        TicketState {
            status: Submitted,
            first_responder: None,
            handler: None,
            reply: None,
            responded_at: None,
            resolved_at: None,
            closed_at: None,
        }
    }
}

/// Apply `action` by `actor` at `now`, or refuse it and change nothing.
pub fn apply(
    t: &TicketState,
    actor: &str,
    action: &Action,
    now: i64,
) -> Result<TicketState, TransitionError> {
    let actor = actor.trim();
    if actor.is_empty() {
        return Err(TransitionError::NoActor);
    }
    if !action.allowed_from().contains(&t.status) {
        let allowed = action.allowed_from().iter().map(|s| s.name()).collect::<Vec<_>>().join(", ");
        return Err(TransitionError::NotAllowed { action: action.name(), from: t.status.name(), allowed });
    }
    let text = action.note().trim();
    let needs_text = !matches!(action, Action::Accept | Action::Close { .. });
    if needs_text && text.is_empty() {
        return Err(TransitionError::NoText(action.name()));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(TransitionError::TextTooLong(chars));
    }
    let mut n = t.clone();
    match action {
        Action::Accept => {
            n.status = Accepted;
            n.first_responder.get_or_insert_with(|| actor.to_owned());
            n.handler = Some(actor.to_owned());
            n.responded_at.get_or_insert(now);
        }
        Action::Transfer { to } => {
            let to = to.trim();
            if n.handler.as_deref() == Some(to) {
                return Err(TransitionError::SameHandler(to.to_owned()));
            }
            n.status = InProgress;
            n.handler = Some(to.to_owned());
        }
        Action::Reply { text, wait } => {
            n.status = if *wait { WaitingUser } else { InProgress };
            n.reply = Some(text.trim().to_owned());
        }
        Action::Resolve { result } => {
            n.status = Resolved;
            n.reply = Some(result.trim().to_owned());
            n.resolved_at = Some(now);
        }
        Action::Close { .. } => {
            n.status = Closed;
            n.closed_at = Some(now);
        }
        Action::Reopen { .. } => {
            n.status = InProgress;
            // Measured again on the next resolution; the log keeps this one.
            n.resolved_at = None;
        }
        Action::Refer { reason } => {
            n.status = Referred;
            n.reply = Some(reason.trim().to_owned());
            n.first_responder.get_or_insert_with(|| actor.to_owned());
            n.handler.get_or_insert_with(|| actor.to_owned());
            n.responded_at.get_or_insert(now);
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_action() -> impl Strategy<Value = Action> {
        let name = prop_oneof![Just("王芳"), Just("李强"), Just("张伟")].prop_map(str::to_owned);
        let text = prop_oneof![Just(""), Just("已联系"), Just("请补充身份证")].prop_map(str::to_owned);
        prop_oneof![
            Just(Action::Accept),
            name.prop_map(|to| Action::Transfer { to }),
            (text.clone(), any::<bool>()).prop_map(|(text, wait)| Action::Reply { text, wait }),
            text.clone().prop_map(|result| Action::Resolve { result }),
            text.clone().prop_map(|note| Action::Close { note }),
            text.clone().prop_map(|reason| Action::Reopen { reason }),
            text.prop_map(|reason| Action::Refer { reason }),
        ]
    }

    proptest! {
        #[test]
        fn invariants_hold_for_any_sequence(
            steps in proptest::collection::vec((prop_oneof![Just("王芳"), Just("李强"), Just("")], any_action()), 0..40)
        ) {
            let mut t = TicketState::submitted();
            let mut first: Option<String> = None;
            for (i, (actor, action)) in steps.iter().enumerate() {
                let before = t.clone();
                match apply(&t, actor, action, i as i64) {
                    Ok(next) => {
                        // Only transitions in the table happen.
                        prop_assert!(action.allowed_from().contains(&before.status));
                        prop_assert!(before.status != Closed && before.status != Referred, "terminal states stay put");
                        if before.status == Resolved {
                            let leaves_resolved = matches!(action, Action::Close { .. } | Action::Reopen { .. });
                            prop_assert!(leaves_resolved);
                        }
                        // The first-responsible person never changes once set.
                        if let Some(f) = &first {
                            prop_assert_eq!(next.first_responder.as_ref(), Some(f));
                        }
                        first = next.first_responder.clone();
                        if matches!(action, Action::Transfer { .. }) {
                            prop_assert_eq!(&next.first_responder, &before.first_responder);
                        }
                        if next.status != Submitted {
                            prop_assert!(next.first_responder.is_some(), "no one responsible for a taken ticket");
                        }
                        t = next;
                    }
                    Err(_) => prop_assert_eq!(&t, &before),
                }
            }
        }
    }

    #[test]
    fn a_complaint_from_submission_to_closing() {
        let t = TicketState::submitted();
        let err = apply(&t, "王芳", &Action::Resolve { result: "x".into() }, 1).unwrap_err();
        assert!(err.to_string().contains("cannot resolve a ticket that is submitted"), "{err}");
        let t = apply(&t, "王芳", &Action::Accept, 10).unwrap();
        assert_eq!(
            (t.status, t.first_responder.as_deref(), t.responded_at),
            (Accepted, Some("王芳"), Some(10))
        );
        let t = apply(&t, "王芳", &Action::Transfer { to: "李强".into() }, 20).unwrap();
        assert_eq!(
            (t.status, t.first_responder.as_deref(), t.handler.as_deref()),
            (InProgress, Some("王芳"), Some("李强"))
        );
        assert_eq!(
            apply(&t, "王芳", &Action::Transfer { to: "李强".into() }, 21),
            Err(TransitionError::SameHandler("李强".into()))
        );
        let t = apply(&t, "李强", &Action::Reply { text: "请补充照片".into(), wait: true }, 30).unwrap();
        assert_eq!(t.status, WaitingUser);
        let t = apply(&t, "李强", &Action::Resolve { result: "已退款".into() }, 40).unwrap();
        assert_eq!((t.status, t.resolved_at), (Resolved, Some(40)));
        let t = apply(&t, "王芳", &Action::Reopen { reason: "未收到退款".into() }, 50).unwrap();
        assert_eq!((t.status, t.resolved_at), (InProgress, None));
        let t = apply(&t, "李强", &Action::Resolve { result: "已退款，请查收".into() }, 60).unwrap();
        let t = apply(&t, "王芳", &Action::Close { note: String::new() }, 70).unwrap();
        assert_eq!(t.status, Closed);
        assert!(apply(&t, "王芳", &Action::Reopen { reason: "again".into() }, 80).is_err());
        assert_eq!(apply(&t, " ", &Action::Accept, 1), Err(TransitionError::NoActor));
    }
}
