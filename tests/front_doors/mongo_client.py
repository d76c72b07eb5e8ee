"""Drives examples/mongo_front_door with pymongo, as an operator's script would.

Prints one JSON line (keys sorted) and exits 0 whatever the server decided:
  {"connectionStatus": {...}, "after": {...}}      logged in; `after` is the answer to a
                                                   command the front door does not have
  {"operationFailure": {"code", "codeName", "errmsg"}}   the server refused a command
  {"connectionFailure": {"type", "message"}}       no connection (TLS refused, ...)
Exit code 3 when pymongo is not installed (the test then skips or fails).
"""

import argparse
import json
import sys

try:
    import pymongo
    from pymongo.errors import ConnectionFailure, OperationFailure
except ImportError:
    print(json.dumps({"missing": "pymongo"}))
    sys.exit(3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True, help="the CA file that signed the server")
    parser.add_argument("--cert-key", required=True, help="client certificate chain + key, PEM")
    parser.add_argument("--user", help="the user name to claim (default: none)")
    parser.add_argument(
        "--no-auth", action="store_true", help="connect with TLS only, without logging in"
    )
    args = parser.parse_args()

    options = {
        "host": "localhost",
        "port": args.port,
        "tls": True,
        "tlsCAFile": args.ca,
        "tlsCertificateKeyFile": args.cert_key,
        "directConnection": True,
        "serverSelectionTimeoutMS": 3000,
        "connectTimeoutMS": 4000,
    }
    if not args.no_auth:
        options["authMechanism"] = "MONGODB-X509"
    if args.user is not None:
        options["username"] = args.user

    client = pymongo.MongoClient(**options)
    try:
        if args.no_auth:
            client.admin.command("listDatabases")
            out = {"unexpected": "listDatabases answered without a login"}
        else:
            status = client.admin.command("connectionStatus")
            try:
                client.admin.command("listDatabases")
                after = {"unexpected": "listDatabases answered"}
            except OperationFailure as e:
                after = failure(e)
            out = {"connectionStatus": status, "after": after}
    except OperationFailure as e:
        out = {"operationFailure": failure(e)}
    except ConnectionFailure as e:
        out = {"connectionFailure": {"type": type(e).__name__, "message": str(e)}}
    finally:
        client.close()
    print(json.dumps(out, sort_keys=True))


def failure(e):
    details = e.details or {}
    return {"code": e.code, "codeName": details.get("codeName"), "errmsg": details.get("errmsg")}


if __name__ == "__main__":
    main()
