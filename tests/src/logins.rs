//! Provisioning, staff accounts and broker logins as an operator and a client would do
//! them: `hub fleet` runs, and one MQTT connect that reports whether the
//! broker let the client in.

use crate::harness::hub_bin;
use rumqttc::{AsyncClient, ConnectReturnCode, Event, EventLoop, MqttOptions, Packet, Transport};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Run `hub fleet --data <data> <args>`: (success, stdout + stderr).
pub fn fleet(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(hub_bin())
        .arg("fleet")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run hub fleet");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// The secret `hub fleet` wrote for `kid` under `out`.
pub fn secret_of(out: &Path, kid: &str) -> Vec<u8> {
    hex::decode(std::fs::read_to_string(out.join(kid).join("secret")).unwrap().trim()).unwrap()
}

/// Connect to the broker on this port as `user` (over `transport`, plain
/// TCP without it): the event loop once connected, or why not.
pub async fn connect(
    port: u16,
    client_id: &str,
    user: &str,
    password: &str,
    transport: Option<Transport>,
) -> Result<(AsyncClient, EventLoop), String> {
    let mut opts = MqttOptions::new(client_id, "127.0.0.1", port);
    opts.set_credentials(user, password);
    opts.set_keep_alive(Duration::from_secs(5));
    if let Some(t) = transport {
        opts.set_transport(t);
    }
    let (client, mut ev) = AsyncClient::new(opts, 64);
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(a))) => {
                    return if a.code == ConnectReturnCode::Success {
                        Ok(())
                    } else {
                        Err(format!("{:?}", a.code))
                    };
                }
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await
    .map_err(|_| "no answer".to_owned())?;
    r.map(|()| (client, ev))
}

/// `hub staff add`: the one-time password it printed.
pub fn add_staff(data: &Path, name: &str, role: &str) -> String {
    let out =
        crate::harness::hub_cli(&["staff", "add", name, "--role", role, "--data", data.to_str().unwrap()]);
    out.split("one-time password ").nth(1).unwrap().split_whitespace().next().unwrap().to_owned()
}
