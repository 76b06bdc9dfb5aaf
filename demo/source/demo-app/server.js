// demo-app: the service the demo world builds, deploys and measures.
const http = require("http");
const quality = process.env.BUILD_QUALITY || "good";
http.createServer((req, res) => {
  if (req.url === "/health") return res.end("ok");
  res.end(`hello from demo-app (${quality})\n`);
}).listen(3000);
