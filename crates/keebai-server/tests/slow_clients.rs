//! Slow and stalled clients: hundreds of sockets trickling a request head one byte a second
//! neither starve other clients nor stay open past the 10-second header-read timeout, and the
//! connection cap holds with a log line saying so.

use keebai_testkit as support;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Trickles a request head one byte a second until the server closes the connection; returns
/// how long the connection stayed open.
async fn trickle(addr: String) -> Duration {
    let start = Instant::now();
    let mut sock = TcpStream::connect(&addr).await.expect("connect");
    let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut buf = [0u8; 512];
    for byte in head.iter().cycle() {
        if sock.write_all(&[*byte]).await.is_err() {
            break;
        }
        // A closed connection shows as EOF (or a reset) on read.
        match tokio::time::timeout(Duration::from_secs(1), sock.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(_)) => {}
            Err(_) => {}
        }
        if start.elapsed() > Duration::from_secs(40) {
            break;
        }
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_clients_are_cut_off_and_others_are_served_meanwhile() {
    let srv = support::TestServer::start().await;
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let tricklers: Vec<_> = (0..300)
        .map(|_| tokio::spawn(trickle(addr.clone())))
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    for _ in 0..20 {
        let r = client
            .get(srv.url("/healthz"))
            .send()
            .await
            .expect("healthz answers");
        assert_eq!(r.status(), reqwest::StatusCode::OK);
    }
    let mut open_for = Vec::new();
    for t in tricklers {
        open_for.push(t.await.expect("task"));
    }
    let longest = open_for.iter().max().expect("some");
    let shortest = open_for.iter().min().expect("some");
    assert!(
        *longest < Duration::from_secs(20),
        "a trickling connection stayed open {longest:?}"
    );
    assert!(
        *shortest >= Duration::from_secs(8),
        "closed before the timeout: {shortest:?}"
    );
}

#[tokio::test]
async fn the_connection_cap_holds_and_is_logged() {
    let srv = support::TestServer::start_with(&["--max-connections", "20"]).await;
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // The 21st waits in the backlog; once the idle ones time out it is served.
    let started = Instant::now();
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
        .get(srv.url("/healthz"))
        .send()
        .await
        .expect("served once slots free up");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "answered while 20 of 20 slots were taken"
    );
    assert!(
        srv.logs().contains("connection limit reached"),
        "the cap is logged"
    );
    drop(idle);
}
