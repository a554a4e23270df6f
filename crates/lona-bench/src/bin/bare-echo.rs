//! The floor of WebSockets: a bare tungstenite server that echoes every text message. The
//! click round trip of lona is measured beside it. Prints its address on the first line of
//! stdout and serves until stdin closes.
#![allow(
    clippy::print_stdout,
    reason = "the address is the one line a bench runner reads"
)]

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio_tungstenite::accept_async;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    let serve = async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(mut socket) = accept_async(stream).await else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_text() && socket.send(message).await.is_err() {
                        break;
                    }
                }
            });
        }
    };
    let mut stdin = tokio::io::stdin();
    let mut rest = Vec::new();
    tokio::select! {
        () = serve => {}
        _ = stdin.read_to_end(&mut rest) => {}
    }
    Ok(())
}
