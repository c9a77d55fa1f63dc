"""Check-out + check-in round trips through the desk, as a volunteer's
browser makes them: logged in, with the forms' tokens, through httpd, into
PostgreSQL with durable settings. Each client process lends and takes back
its own item in a loop. Prints round trips per second and errors.

Usage: desk.py BASE_URL SECONDS CLIENTS ITEM_CODE,ITEM_CODE,... MEMBER"""
import multiprocessing
import sys
import time

import requests
from bs4 import BeautifulSoup


def token(s, url):
    return BeautifulSoup(s.get(url, timeout=10).text, "html.parser").find("input", attrs={"name": "jeton"})["value"]


def client(args):
    base, seconds, item, member, user, password = args
    s = requests.Session()
    s.post(f"{base}/tierslieux/connexion/verifier", allow_redirects=False, timeout=10,
           data={"httpd_username": user, "httpd_password": password, "httpd_location": "/tierslieux/guichet"})
    lend_token = token(s, f"{base}/tierslieux/guichet/pret")
    back_token = token(s, f"{base}/tierslieux/guichet/retour")
    done = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        r1 = s.post(f"{base}/tierslieux/guichet/pret/confirmer", allow_redirects=False, timeout=30,
                    data={"jeton": lend_token, "adherent": member, "objet": item})
        r2 = s.post(f"{base}/tierslieux/guichet/retour", allow_redirects=False, timeout=30,
                    data={"jeton": back_token, "objet": item, "etat": "", "maintenance": ""})
        if r1.status_code == 303 and r2.status_code == 303:
            done += 1
        else:
            errors += 1
    return done, errors


def main():
    base, seconds, clients, items, member = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]
    jobs = [(base, seconds, items[n], member, "admin.reseau", "Semis-2026") for n in range(clients)]
    start = time.monotonic()
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(client, jobs)
    elapsed = time.monotonic() - start
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    print(f"round trips (check-out + check-in): {done} in {seconds:.0f} s with {clients} clients "
          f"= {done / seconds:.0f} per second; errors: {errors}")


if __name__ == "__main__":
    main()
