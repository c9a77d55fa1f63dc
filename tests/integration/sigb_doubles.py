"""Test doubles of a médiathèque's library system (SIGB), written for the
tests of the login with the library card (test_library_card.py): a SIP2
server over TLS and a Koha REST API over HTTPS, each speaking its protocol
as its specification shows, byte for byte, and recording what it received.

Both know the same patrons (PATRONS). Their `mode` turns them into a system
that is fine ("ok") or that accepts connections and never answers ("slow");
a system that is down is a port where nothing listens (`closed_port`).

The certificates are made at run time with openssl: a certificate authority
of the tests, and the doubles' certificate it signs for 127.0.0.1."""
import base64
import http.server
import json
import os
import re
import socket
import socketserver
import ssl
import subprocess
import threading

# card -> PIN, family name, given name, SIP2 patron status (14 flags), Koha
# restricted, and what the library holds but we must not keep.
PATRONS = {
    "29000111": {"pin": "90417358", "surname": "Lefebvre", "firstname": "Maëlle", "status": " " * 14,
                 "restricted": False, "date_of_birth": "1984-03-09", "address": "12 rue des Tilleuls",
                 "email": "maelle.lefebvre@example.org", "phone": "0601020304"},
    "29000222": {"pin": "55661234", "surname": "Roux", "firstname": "Bastien",
                 "status": "Y" + " " * 13, "restricted": True, "date_of_birth": "1990-01-01",
                 "address": "1 place de la Mairie", "email": "b.roux@example.org", "phone": "0605060708"},
    # A reader the library knows by one name only (a record left incomplete).
    "29000333": {"pin": "24682468", "surname": "Dupont", "firstname": None, "status": " " * 14,
                 "restricted": False, "date_of_birth": None, "address": None, "email": None, "phone": None},
}
INSTITUTION = "MEDJV"
SIP2_USER, SIP2_PASSWORD = "tierslieux-sip", "Sip2-Term-2026"
KOHA_USER, KOHA_PASSWORD = "api-tierslieux", "Koha-Api-2026"


def checksum(data: bytes) -> str:
    """SIP2's error detection: four hex digits making the byte sum zero."""
    return "%04X" % (-sum(data) & 0xFFFF)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificates(folder):
    """A CA and a server certificate for 127.0.0.1 signed by it; the paths of
    the CA's certificate, the server's certificate and its key."""
    os.makedirs(folder, exist_ok=True)
    ca_key, ca = os.path.join(folder, "ca.key"), os.path.join(folder, "ca.pem")
    key, csr, cert = (os.path.join(folder, n) for n in ("sigb.key", "sigb.csr", "sigb.pem"))
    ext = os.path.join(folder, "san.ext")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=CA des tests tierslieux")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
        "-extfile", ext)
    os.chmod(ca, 0o644)
    return ca, cert, key


def server_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


class _Double:
    def __init__(self):
        self.mode = "ok"
        self.received = []          # what came in, as bytes (SIP2 messages, HTTP requests)
        self.connections = 0
        self.release = threading.Event()
        self.lock = threading.Lock()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# ---- SIP2 ---------------------------------------------------------------------

def sip2_fields(body: str):
    return dict((f[:2], f[2:]) for f in body.split("|") if len(f) >= 2)


def sip2_answer(body: str, seq: str) -> bytes:
    """body, then the error detection fields echoing the request's sequence."""
    msg = (body + "AY" + seq + "AZ").encode("utf-8")
    return msg + checksum(msg).encode() + b"\r"


class SIP2Double(_Double):
    """A SIP2 server over TLS: 93 Login (answers 94), 23 Patron Status Request
    (answers 24). A message whose checksum is wrong is answered 96 (please
    resend), as the specification says."""

    def __init__(self, cert, key):
        super().__init__()
        double = self
        ctx = server_context(cert, key)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                with double.lock:
                    double.connections += 1
                try:
                    conn = ctx.wrap_socket(self.request, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                if double.mode == "slow":
                    double.release.wait(30)
                    return
                logged_in = False
                buf = b""
                conn.settimeout(10)
                while True:
                    try:
                        chunk = conn.recv(4096)
                    except (OSError, ssl.SSLError):
                        return
                    if not chunk:
                        return
                    buf += chunk
                    while b"\r" in buf:
                        raw, buf = buf.split(b"\r", 1)
                        with double.lock:
                            double.received.append(raw + b"\r")
                        reply = double.answer(raw, logged_in)
                        if raw.startswith(b"93") and reply.startswith(b"941"):
                            logged_in = True
                        conn.sendall(reply)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, raw: bytes, logged_in: bool) -> bytes:
        m = re.fullmatch(rb"(.*AY(\d)AZ)([0-9A-F]{4})", raw, re.S)
        if not m or checksum(m.group(1)) != m.group(3).decode():
            return b"96AZFEF6\r"
        text, seq = raw.decode("utf-8"), m.group(2).decode()
        body = text[:text.rindex("AY")]
        if body.startswith("93"):
            f = sip2_fields(body[4:])
            ok = f.get("CN") == SIP2_USER and f.get("CO") == SIP2_PASSWORD
            return sip2_answer("94" + ("1" if ok else "0"), seq)
        if body.startswith("23") and logged_in:
            # 23, language (3), transaction date (18), then the fields.
            f = sip2_fields(body[23:])
            card, pin = f.get("AA", ""), f.get("AD", "")
            p = PATRONS.get(card)
            status = p["status"] if p else "Y" * 4 + " " * 10
            name = (f"{p['surname']}, {p['firstname']}" if p["firstname"] else p["surname"]) if p else ""
            valid, good_pin = ("Y" if p else "N"), ("Y" if p and pin == p["pin"] else "N")
            return sip2_answer(f"24{status}002{body[5:23]}AO{INSTITUTION}|AA{card}|AE{name}|BL{valid}|"
                               f"CQ{good_pin}|AFBienvenue|", seq)
        return sip2_answer("96", seq)


# ---- Koha REST ------------------------------------------------------------------

class KohaDouble(_Double):
    """Koha's REST API over HTTPS: POST /api/v1/auth/password/validation
    (201 with patron_id, cardnumber and userid, or 400 "Validation failed"),
    GET /api/v1/patrons/{patron_id} (the patron, with more than we keep),
    both for our API user only (Basic authentication; else 401)."""

    def __init__(self, cert, key):
        super().__init__()
        double = self
        ids = {card: 100 + i for i, card in enumerate(PATRONS)}
        good_auth = "Basic " + base64.b64encode(f"{KOHA_USER}:{KOHA_PASSWORD}".encode()).decode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send_json(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def record(self, body=b""):
                with double.lock:
                    double.received.append(self.requestline.encode() + b"\r\n" + bytes(self.headers) + body)

            def slow(self):
                if double.mode == "slow":
                    double.release.wait(30)
                    return True
                return False

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                self.record(body)
                if self.slow():
                    return
                if self.headers.get("Authorization") != good_auth:
                    return self.send_json(401, {"error": "Authentication failure."})
                if self.path != "/api/v1/auth/password/validation":
                    return self.send_json(404, {"error": "Not found"})
                try:
                    req = json.loads(body)
                except ValueError:
                    return self.send_json(400, {"error": "Malformed JSON"})
                card = req.get("identifier")
                p = PATRONS.get(card)
                if not p or req.get("password") != p["pin"]:
                    return self.send_json(400, {"error": "Validation failed"})
                self.send_json(201, {"cardnumber": card, "patron_id": ids[card], "userid": "u" + card})

            def do_GET(self):
                self.record()
                if self.slow():
                    return
                if self.headers.get("Authorization") != good_auth:
                    return self.send_json(401, {"error": "Authentication failure."})
                m = re.fullmatch(r"/api/v1/patrons/(\d+)", self.path)
                card = next((c for c, i in ids.items() if m and i == int(m.group(1))), None)
                if not card:
                    return self.send_json(404, {"error": "Patron not found"})
                p = PATRONS[card]
                self.send_json(200, {"patron_id": ids[card], "cardnumber": card, "surname": p["surname"],
                                     "firstname": p["firstname"], "date_of_birth": p["date_of_birth"],
                                     "address": p["address"], "email": p["email"], "phone": p["phone"],
                                     "library_id": "MEDJV", "category_id": "ADULTE", "restricted": p["restricted"],
                                     "expired": False, "extended_attributes": [{"type": "X", "value": "}"}]})

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, addr = self.socket.accept()
                with double.lock:
                    double.connections += 1
                return ctx.wrap_socket(sock, server_side=True), addr

        ctx = server_context(cert, key)
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
