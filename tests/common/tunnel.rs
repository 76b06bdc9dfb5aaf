//! A forwarding proxy for transport tests: it speaks HTTP CONNECT and SOCKS5 (no
//! authentication) on one port, forwards the bytes unchanged (TLS stays end to end), and counts
//! the bytes coming back from the server and the addresses asked for.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running proxy; stops when dropped.
pub struct Tunnel {
    pub address: String,
    received: Arc<AtomicU64>,
    asked: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Tunnel {
    pub async fn start() -> Tunnel {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let received = Arc::new(AtomicU64::new(0));
        let asked = Arc::new(Mutex::new(Vec::new()));
        let (counter, targets) = (received.clone(), asked.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (counter, targets) = (counter.clone(), targets.clone());
                tokio::spawn(async move {
                    let _ = serve(client, counter, targets).await;
                });
            }
        });
        Tunnel {
            address,
            received,
            asked,
            task,
        }
    }

    /// Bytes the server sent back through the proxy so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }

    /// The `host:port`s clients asked to reach, and how (`CONNECT` or `SOCKS5`).
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

async fn serve(
    mut client: TcpStream,
    received: Arc<AtomicU64>,
    asked: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let first = client.read_u8().await?;
    let target = if first == 5 {
        socks5_handshake(&mut client).await?
    } else {
        connect_handshake(&mut client, first).await?
    };
    if let Ok(mut asked) = asked.lock() {
        asked.push(target.clone());
    }
    let address = target.split_once(' ').map_or(target.as_str(), |(_, a)| a);
    let upstream = TcpStream::connect(address).await?;
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let up = pump(&mut client_read, &mut upstream_write, None);
    let down = pump(&mut upstream_read, &mut client_write, Some(&received));
    let _ = tokio::join!(up, down);
    Ok(())
}

/// `CONNECT host:port HTTP/1.1` … blank line; answers 200. Returns "CONNECT host:port".
async fn connect_handshake(client: &mut TcpStream, first: u8) -> std::io::Result<String> {
    let mut head = vec![first];
    while !head.ends_with(b"\r\n\r\n") {
        head.push(client.read_u8().await?);
    }
    let head = String::from_utf8_lossy(&head);
    let authority = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    Ok(format!("CONNECT {authority}"))
}

/// SOCKS5 without authentication, CONNECT only. Returns "SOCKS5 host:port".
async fn socks5_handshake(client: &mut TcpStream) -> std::io::Result<String> {
    let methods = client.read_u8().await?;
    let mut skipped = vec![0; methods as usize];
    client.read_exact(&mut skipped).await?;
    client.write_all(&[5, 0]).await?;
    let mut request = [0; 4];
    client.read_exact(&mut request).await?;
    let host = match request[3] {
        1 => {
            let mut ip = [0; 4];
            client.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let length = client.read_u8().await?;
            let mut name = vec![0; length as usize];
            client.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => {
            let mut ip = [0; 16];
            client.read_exact(&mut ip).await?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
    };
    let port = client.read_u16().await?;
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    Ok(format!("SOCKS5 {host}:{port}"))
}

/// Copies until end of stream, counting into `counter`.
async fn pump(
    from: &mut (impl AsyncRead + Unpin),
    to: &mut (impl AsyncWrite + Unpin),
    counter: Option<&AtomicU64>,
) -> std::io::Result<()> {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = from.read(&mut buffer).await?;
        if read == 0 {
            return to.shutdown().await;
        }
        if let Some(counter) = counter {
            counter.fetch_add(read as u64, Ordering::SeqCst);
        }
        to.write_all(&buffer[..read]).await?;
    }
}
