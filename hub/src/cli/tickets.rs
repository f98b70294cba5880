//! `hub tickets`: staff work on service requests. Every change records who
//! (`--as`) and when, and reaches the requester's kiosk on `svc/ack`.

use clap::{Args, Subcommand};
use hub::store::{self, DataDir, StoreError, now_ms, writer::Writer};
use hub::tickets::calendar::Calendar;
use hub::tickets::machine::Action;
use hub::tickets::records::{self, ListFilter, TicketError, TicketView};
use protocol::TicketStatus;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TicketsArgs {
    #[command(subcommand)]
    command: TicketsCommand,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
}

/// Who acts: recorded in the ticket's history.
#[derive(Args)]
struct Actor {
    /// Your name, as the requester will see it.
    #[arg(long = "as", value_name = "NAME")]
    name: String,
}

#[derive(Subcommand)]
enum TicketsCommand {
    /// Tickets, newest first.
    List {
        /// Only tickets with a deadline passed and the work undone.
        #[arg(long)]
        overdue: bool,
        /// submitted, accepted, in_progress, waiting_user, resolved, closed, referred.
        #[arg(long, value_parser = parse_status)]
        status: Option<TicketStatus>,
        #[arg(long)]
        kiosk: Option<String>,
        /// The last 4 digits of the requester's phone.
        #[arg(long)]
        phone_tail: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One ticket with its history. Contact details are masked unless
    /// `--reveal-contact` (the look is logged).
    Show {
        ticket: String,
        #[arg(long)]
        json: bool,
        #[arg(long, requires = "name")]
        reveal_contact: bool,
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
    },
    /// 受理: take a submitted ticket; you become its first-responsible person.
    Accept {
        ticket: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// 转办: hand the ticket to another handler (you stay responsible).
    Transfer {
        ticket: String,
        #[arg(long)]
        to: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Tell the requester something; `--wait` when you need more from them.
    Reply {
        ticket: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        actor: Actor,
    },
    /// 办结, with the result the requester will see.
    Resolve {
        ticket: String,
        #[arg(long)]
        text: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// 回访/关闭 a resolved ticket.
    Close {
        ticket: String,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// The requester is not satisfied: back to in progress.
    Reopen {
        ticket: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// 不予受理/转他部门: out of scope; tell the requester where to go.
    Refer {
        ticket: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
}

fn parse_status(s: &str) -> Result<TicketStatus, String> {
    TicketStatus::from_name(s).ok_or_else(|| {
        let all: Vec<_> = TicketStatus::ALL.iter().map(|t| t.name()).collect();
        format!("unknown status {s:?}; one of {}", all.join(", "))
    })
}

pub fn run(a: TicketsArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    let (ticket, actor, action) = match a.command {
        TicketsCommand::List { overdue, status, kiosk, phone_tail, json } => {
            fill_deadlines(&data)?;
            let conn = store::open_read(&data)?;
            let filter = ListFilter { overdue_only: overdue, status, kiosk, phone_tail };
            let rows = records::list(&conn, &filter, now_ms())?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print_table(&rows);
            }
            return Ok(ExitCode::SUCCESS);
        }
        TicketsCommand::Show { ticket, json, reveal_contact, name } => {
            return show(&data, &ticket, json, reveal_contact.then_some(name).flatten());
        }
        TicketsCommand::Accept { ticket, actor } => (ticket, actor, Action::Accept),
        TicketsCommand::Transfer { ticket, to, actor } => (ticket, actor, Action::Transfer { to }),
        TicketsCommand::Reply { ticket, text, wait, actor } => (ticket, actor, Action::Reply { text, wait }),
        TicketsCommand::Resolve { ticket, text, actor } => (ticket, actor, Action::Resolve { result: text }),
        TicketsCommand::Close { ticket, note, actor } => (ticket, actor, Action::Close { note }),
        TicketsCommand::Reopen { ticket, reason, actor } => (ticket, actor, Action::Reopen { reason }),
        TicketsCommand::Refer { ticket, reason, actor } => (ticket, actor, Action::Refer { reason }),
    };
    let writer = Writer::start(&data)?;
    let (t, who) = (ticket.clone(), actor.name.clone());
    let done = writer.exec_blocking(move |c| split(records::act(c, &t, &who, &action, now_ms())));
    match done? {
        Ok(state) => {
            let conn = store::open_read(&data)?;
            let view = records::get(&conn, &ticket, now_ms())?;
            let shown = view.as_ref().map(|v| v.ticket_no_grouped.clone()).unwrap_or(ticket);
            outln!(
                "ticket {shown}: {}; responsible {}, handler {}",
                state.status.name(),
                state.first_responder.as_deref().unwrap_or("-"),
                state.handler.as_deref().unwrap_or("-")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("hub: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A store failure rolls the operation back; a refused action changed nothing.
fn split<T>(r: Result<T, TicketError>) -> Result<Result<T, TicketError>, StoreError> {
    match r {
        Err(TicketError::Store(e)) => Err(e),
        other => Ok(other),
    }
}

/// Complaints that arrived before their deadline year had a calendar.
fn fill_deadlines(data: &DataDir) -> anyhow::Result<()> {
    let cal = Calendar::load(Some(&data.calendar()))?;
    let conn = store::open_write(data)?;
    records::fill_missing_deadlines(&conn, &cal)?;
    Ok(())
}

fn show(data: &DataDir, ticket: &str, json: bool, reveal_as: Option<String>) -> anyhow::Result<ExitCode> {
    fill_deadlines(data)?;
    let contact = match reveal_as {
        Some(who) => {
            let writer = Writer::start(data)?;
            let t = ticket.to_owned();
            match writer.exec_blocking(move |c| split(records::reveal_contact(c, &t, &who, now_ms())))? {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("hub: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        None => None,
    };
    let conn = store::open_read(data)?;
    let Some(view) = records::get(&conn, ticket, now_ms())? else {
        eprintln!("hub: no ticket {ticket}");
        return Ok(ExitCode::FAILURE);
    };
    let history = records::history(&conn, &view.ticket_no)?;
    if json {
        let mut v = serde_json::json!({ "ticket": view, "history": history });
        if let Some((name, phone)) = contact {
            v["contact"] = serde_json::json!({ "name": name, "phone": phone });
        }
        outln!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let t = |ms: Option<i64>| ms.map(protocol::county_time::second_text).unwrap_or_else(|| "-".into());
    outln!("ticket      {}  ({})", view.ticket_no_grouped, view.status.name());
    outln!("service     {}{}", view.service_id, if view.is_complaint { " (complaint)" } else { "" });
    outln!("from        kiosk {}, {}", view.kiosk, view.village);
    match contact {
        Some((name, phone)) => outln!("requester   {} {phone}", name.unwrap_or_default()),
        None => outln!("requester   {} {}", view.requester.as_deref().unwrap_or(""), view.phone),
    }
    if let Some(n) = &view.note {
        outln!("note        {n}");
    }
    outln!("responsible {}", view.first_responder.as_deref().unwrap_or("-"));
    outln!("handler     {}", view.handler.as_deref().unwrap_or("-"));
    outln!("submitted   {}", t(Some(view.submitted_at)));
    outln!("response    due {} · {}", t(Some(view.response_due)), view.response.name());
    if view.is_complaint {
        outln!("resolution  due {} · {}", t(view.resolution_due), view.resolution.name());
    }
    if let Some(r) = &view.reply {
        outln!("told them   {r}");
    }
    outln!("kiosk has   rev {} of {}", view.seen_rev, view.rev);
    outln!("history:");
    for h in history {
        let note = if h.note.is_empty() { String::new() } else { format!(" · {}", h.note) };
        outln!(
            "  {}  {:<14} {:<10} {} → {}{note}",
            t(Some(h.at)),
            h.action,
            h.actor,
            h.from_status.as_deref().unwrap_or("-"),
            h.to_status
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(rows: &[TicketView]) {
    if rows.is_empty() {
        outln!("no tickets");
        return;
    }
    outln!(
        "{:<17} {:<12} {:<12} {:<13} {:<19} {:<9} {:<11} {:<8} {:<8}",
        "ticket",
        "status",
        "service",
        "phone",
        "submitted",
        "response",
        "resolution",
        "resp.",
        "handler"
    );
    for r in rows {
        let flag = if r.overdue { " !" } else { "" };
        outln!(
            "{:<17} {:<12} {:<12} {:<13} {:<19} {:<9} {:<11} {:<8} {:<8}{flag}",
            r.ticket_no_grouped,
            r.status.name(),
            r.service_id,
            r.phone,
            protocol::county_time::second_text(r.submitted_at),
            r.response.name(),
            r.resolution.name(),
            r.first_responder.as_deref().unwrap_or("-"),
            r.handler.as_deref().unwrap_or("-"),
        );
    }
}
