//! Plain TCP listeners that record what reaches them, for the transport tests' "nothing was
//! sent" and "not re-sent" claims: a redirecting server, its redirect's target, and a proxy the
//! app would have to go through to reach a host that is not this computer.
//!
//! Each connection is recorded when it is accepted, before anything is read, and answered only
//! after its request has been read whole; so by the time the client has its answer (or error),
//! every connection it made is in the record.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A listener on 127.0.0.1 that keeps every request it receives and answers each with `reply`
/// (or just closes the connection when there is none).
pub struct Trap {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Trap {
    pub fn start(reply: Option<Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a trap");
        let addr = listener.local_addr().expect("trap address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let index = {
                    let mut all = record.lock().expect("trap record");
                    all.push(Vec::new());
                    all.len() - 1
                };
                let bytes = read_request(&stream);
                record.lock().expect("trap record")[index] = bytes;
                if let Some(reply) = &reply {
                    let _ = (&stream).write_all(reply);
                }
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        });
        Self { addr, requests }
    }

    /// A server answering every request with `status` and `Location: location`.
    pub fn redirecting(status: &str, location: &str) -> Self {
        let reply = format!(
            "HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        Self::start(Some(reply.into_bytes()))
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections reached the trap so far.
    pub fn connections(&self) -> usize {
        self.requests.lock().expect("trap record").len()
    }

    /// Every request received, as text.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .expect("trap record")
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect()
    }
}

/// The request head and, when it announces one, its body.
fn read_request(mut stream: &TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&bytes, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                break;
            }
        }
    }
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
