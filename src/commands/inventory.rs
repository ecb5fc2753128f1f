//! `flex-alerts inventory`: what the live store holds that alert files name: its task queues,
//! task channels and Flex users (with their roles, and whether they are active), so a newcomer
//! knows which names `queues`, `channel` and `notify.users` may use. Text or JSON.

use serde::Serialize;

use super::environment::{Context, Needs};
use super::session::Session;
use crate::cli::{Cli, InventoryArgs, InventoryFormat};
use crate::common::shown::escape_invisible;
use crate::error::Error;
use crate::output::Output;
use crate::store::Directory;

/// The inventory as JSON.
#[derive(Debug, Serialize)]
struct Inventory {
    format_version: u32,
    queues: Vec<Queue>,
    channels: Vec<Channel>,
    users: Vec<User>,
}

#[derive(Debug, Serialize)]
struct Queue {
    name: Option<String>,
    sid: String,
}

#[derive(Debug, Serialize)]
struct Channel {
    unique_name: Option<String>,
    friendly_name: Option<String>,
    sid: String,
}

#[derive(Debug, Serialize)]
struct User {
    username: String,
    full_name: Option<String>,
    email: Option<String>,
    roles: Vec<String>,
    active: bool,
    sid: String,
}

pub fn run(cli: &Cli, args: &InventoryArgs, output: &Output) -> Result<u8, Error> {
    let context = Context::resolve(args.env.name.as_deref(), Needs::One, output)?;
    let choice = context.store_choice(cli, &args.store)?;
    let session = Session::open(cli, &choice, choice.text(), output, None)?;
    let directory = session.snapshot()?.directory;
    let inventory = of(&directory);
    match args.format {
        InventoryFormat::Json => output.data(&format!(
            "{}\n",
            serde_json::to_string_pretty(&inventory).expect("JSON")
        ))?,
        InventoryFormat::Text => output.data(&text(&inventory))?,
    }
    Ok(0)
}

fn of(directory: &Directory) -> Inventory {
    Inventory {
        format_version: 1,
        queues: directory
            .queues
            .iter()
            .map(|queue| Queue {
                name: queue.friendly_name.clone(),
                sid: queue.sid.clone(),
            })
            .collect(),
        channels: directory
            .channels
            .iter()
            .map(|channel| Channel {
                unique_name: channel.unique_name.clone(),
                friendly_name: channel.friendly_name.clone(),
                sid: channel.sid.clone(),
            })
            .collect(),
        users: directory
            .users
            .iter()
            .map(|user| User {
                username: user.username.clone(),
                full_name: user.full_name.clone(),
                email: user.email.clone(),
                roles: user.roles.clone(),
                active: !user.deactivated,
                sid: user.flex_user_sid.clone(),
            })
            .collect(),
    }
}

/// Columns, a section each, saying what each name is for; names from Flex shown with their
/// invisible characters escaped.
fn text(inventory: &Inventory) -> String {
    let show = |text: &Option<String>| {
        text.as_deref().map_or("(none)".to_owned(), |text| {
            escape_invisible(text).into_owned()
        })
    };
    let mut out = String::new();
    let table = |out: &mut String, rows: Vec<Vec<String>>| {
        let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
            .map(|column| {
                rows.iter()
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
    };
    out.push_str(&format!(
        "Queues ({}), for `queues:` (by name, or by SID where there is none):\n",
        inventory.queues.len()
    ));
    table(
        &mut out,
        inventory
            .queues
            .iter()
            .map(|queue| vec![show(&queue.name), queue.sid.clone()])
            .collect(),
    );
    out.push_str(&format!(
        "\nChannels ({}), for `channel:` (by unique name):\n",
        inventory.channels.len()
    ));
    table(
        &mut out,
        inventory
            .channels
            .iter()
            .map(|channel| {
                vec![
                    show(&channel.unique_name),
                    show(&channel.friendly_name),
                    channel.sid.clone(),
                ]
            })
            .collect(),
    );
    out.push_str(&format!(
        "\nUsers ({}), for `notify.users:` (username, email or SID; only active ones can be told):\n",
        inventory.users.len()
    ));
    table(
        &mut out,
        inventory
            .users
            .iter()
            .map(|user| {
                vec![
                    escape_invisible(&user.username).into_owned(),
                    show(&user.full_name),
                    show(&user.email),
                    if user.roles.is_empty() {
                        "(no roles)".to_owned()
                    } else {
                        user.roles.join(", ")
                    },
                    if user.active { "active" } else { "deactivated" }.to_owned(),
                    user.sid.clone(),
                ]
            })
            .collect(),
    );
    out
}
