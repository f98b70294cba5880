//! The staff console served by a real `hub serve` process: a staff account
//! made with `hub staff add` logs in over TCP; with `--web-tls` the same
//! happens over HTTPS with the county CA's certificate; the console refuses
//! to serve passwords in clear across the network.

use e2e::harness::*;
use e2e::logins::{add_staff, fleet};
use std::io::{Read, Write};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP/1.1 exchange: status line, headers and body as text.
fn http(port: u16, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the console listens");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn get(path: &str, cookie: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
}

fn post(path: &str, cookie: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn header<'a>(response: &'a str, name: &str) -> Vec<&'a str> {
    response
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect()
}

fn csrf(response: &str) -> String {
    let at = response.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    response[at..].split('"').next().unwrap().to_owned()
}

fn cookie_value<'a>(response: &'a str, name: &str) -> &'a str {
    header(response, "set-cookie")
        .into_iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap()))
        .unwrap_or_else(|| panic!("no {name} cookie in {response}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_account_logs_in_to_the_console_of_a_running_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let password = add_staff(&data, "王芳", "tickets");
    let hub = HubProcess::start(&data, BrokerMode::Embedded(free_port())).await;
    let port = hub.web_port;
    assert!(hub.log().contains(&format!("staff console on http://127.0.0.1:{port}")), "{}", hub.log());

    let login = http(port, &get("/login", ""));
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let login_cookie = cookie_value(&login, "kh_login").to_owned();
    let body = format!(
        "csrf={}&name={}&password={}&next=%2F",
        csrf(&login),
        form_urlencoded::byte_serialize("王芳".as_bytes()).collect::<String>(),
        password
    );
    let done = http(port, &post("/login", &format!("kh_login={login_cookie}"), &body));
    assert!(done.starts_with("HTTP/1.1 303"), "{done}");
    assert_eq!(header(&done, "location"), ["/password"], "first the one-time password goes");
    let session = cookie_value(&done, "kh_session").to_owned();
    let page = http(port, &get("/password", &format!("kh_session={session}")));
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("一次性密码"), "{page}");

    // `hub staff` disables the account: its session ends in the running hub.
    hub_cli(&["staff", "disable", "王芳", "--data", data.to_str().unwrap()]);
    let after = http(port, &get("/password", &format!("kh_session={session}")));
    assert!(after.starts_with("HTTP/1.1 303"), "{after}");
    let (ok, listed) = hub_cli_status(&["staff", "list", "--data", data.to_str().unwrap()]);
    assert!(ok && listed.contains("王芳") && listed.contains("disabled"), "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_network_the_console_speaks_https_with_the_county_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    // Plain HTTP on a network address: refused before anything starts.
    let (ok, text) = hub_cli_status(&[
        "serve",
        "--data",
        data.to_str().unwrap(),
        "--listen",
        &format!("127.0.0.1:{}", free_port()),
        "--web",
        "0.0.0.0:0",
    ]);
    assert!(!ok && text.contains("--web-tls"), "{text}");

    let (ok, text) = fleet(&data, &["tls", "--host", "127.0.0.1", "--host", "localhost"]);
    assert!(ok, "{text}");
    add_staff(&data, "李强", "viewer");
    let hub = HubProcess::start_with(&data, BrokerMode::Embedded(free_port()), &["--web-tls"]).await;
    let port = hub.web_port;
    assert!(hub.log().contains(&format!("staff console on https://127.0.0.1:{port}")), "{}", hub.log());

    let config = county_tls::client_config(&data.join("tls/ca.pem")).unwrap();
    let connector = tokio_rustls::TlsConnector::from(config);
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, tcp).await.expect("the county CA's certificate");
    tls.write_all(get("/login", "").as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tls.read_to_end(&mut out).await.unwrap();
    let page = String::from_utf8_lossy(&out);
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let cookie = header(&page, "set-cookie").join(" ");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}
