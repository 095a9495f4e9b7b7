#!/usr/bin/env python3
"""Serves dist/ over HTTPS the way a provider registry does, so the release check
installs the provider exactly as users will from the Terraform registry: discovery
(through a `host` block in the CLI configuration), the version list, per-platform
download documents naming the SHA256SUMS file, its signature and the signing key.
Terraform verifies that signature and then locks the zh: hash of every platform in
SHA256SUMS (a mirror never yields zh: hashes).

Provider registry protocol, for cloud-gov/cloudgov:
  GET /v1/providers/cloud-gov/cloudgov/versions
  GET /v1/providers/cloud-gov/cloudgov/VERSION/download/OS/ARCH
  GET /files/NAME            the zips, SHA256SUMS and SHA256SUMS.sig
Prints its base URL, then serves until killed.

usage: registry.py DIST_DIR VERSION CERT.pem KEY.pem KEY_ID
"""
import hashlib
import http.server
import json
import os
import re
import ssl
import sys

DIST, VERSION, CERT, KEY, KEY_ID = sys.argv[1:6]
NAME = "terraform-provider-cloudgov"
API = "/v1/providers/cloud-gov/cloudgov/"
ZIP = re.compile(re.escape(f"{NAME}_{VERSION}_") + r"([a-z0-9]+)_([a-z0-9]+)\.zip$")
SUMS = f"{NAME}_{VERSION}_SHA256SUMS"


def platforms():
    return [(m.group(1), m.group(2)) for m in map(ZIP.match, sorted(os.listdir(DIST))) if m]


def read(name):
    with open(os.path.join(DIST, name), "rb") as f:
        return f.read()


class Registry(http.server.BaseHTTPRequestHandler):
    def answer(self, body, kind="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"https://localhost:{self.server.server_address[1]}"
        path = self.path.split("?")[0]
        if path == API + "versions":
            plats = [{"os": o, "arch": a} for o, a in platforms()]
            doc = {"versions": [{"version": VERSION, "protocols": ["6.0"], "platforms": plats}]}
            return self.answer(json.dumps(doc).encode())
        m = re.fullmatch(re.escape(API + VERSION) + r"/download/([a-z0-9]+)/([a-z0-9]+)", path)
        if m and (m.group(1), m.group(2)) in platforms():
            zip_name = f"{NAME}_{VERSION}_{m.group(1)}_{m.group(2)}.zip"
            doc = {
                "protocols": ["6.0"],
                "os": m.group(1),
                "arch": m.group(2),
                "filename": zip_name,
                "download_url": f"{base}/files/{zip_name}",
                "shasums_url": f"{base}/files/{SUMS}",
                "shasums_signature_url": f"{base}/files/{SUMS}.sig",
                "shasum": hashlib.sha256(read(zip_name)).hexdigest(),
                "signing_keys": {
                    "gpg_public_keys": [
                        {
                            "key_id": KEY_ID,
                            "ascii_armor": read(f"{NAME}_{VERSION}_signing-key.asc").decode(),
                        }
                    ]
                },
            }
            return self.answer(json.dumps(doc).encode())
        name = path[len("/files/"):] if path.startswith("/files/") else ""
        if name and "/" not in name and os.path.isfile(os.path.join(DIST, name)):
            return self.answer(read(name), "application/octet-stream")
        self.send_error(404)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(f"https://localhost:{server.server_address[1]}/", flush=True)
server.serve_forever()
