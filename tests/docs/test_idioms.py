"""One idiom per job in the C sources, checked without any server.

Lives with the documentation checks (tests/docs) because, like them, it
only reads files. It checks that:

1. no page looks at a refusal's constraint name itself: a refusal is shown
   by tl_change (glue/tl_change.c) from the page's map of rules, and pages
   never call tl_db_change or tl_db_try directly;
2. every POST route of the route table runs its change, or shows its
   refusal, through tl_change, tl_change_try or tl_change_refusal (the
   handler itself or a function of the pages it calls);
3. posted fields go back into a form only through tl_form_keep;
4. the core decodes UTF-8 in one place (core/tl_utf8.c) and counts days
   from civil dates in one place (core/tl_date.c).
"""
import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "mod_tierslieux"
PAGES = SRC / "pages"
ROUTE_TABLE = PAGES / "tl_pages.c"
CHANGE_HELPERS = {"tl_change", "tl_change_try", "tl_change_refusal"}
# Streamed import: its rows go in one transaction over several statements
# (tl_db_begin, tl_db_in_tx, tl_db_step, tl_db_end); its refusal is still
# shown through tl_change_refusal.
STREAMED = {"page_admin_import.c"}


def without_c_comments(text):
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def c_sources(folder):
    return sorted(folder.glob("*.c"))


def code(path):
    return without_c_comments(path.read_text(encoding="utf-8"))


def functions(text):
    """{name: body} of the functions defined in a C file (K&R style: the
    opening brace on a line of its own, the closing one at column 0)."""
    found = {}
    for m in re.finditer(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*?\)\s*\n\{\n(.*?)^\}", text,
                         flags=re.M | re.S):
        found[m.group(1)] = m.group(2)
    return found


def calls(body):
    return set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", body))


def post_handlers():
    text = without_c_comments(ROUTE_TABLE.read_text(encoding="utf-8"))
    table = re.search(r"tl_routes\[\]\s*=\s*\{(.*?)\n\};", text, flags=re.S)
    assert table, "no route table (tl_routes[]) in tl_pages.c"
    return re.findall(r'\{\s*M_POST\s*,\s*"([^"]*)"\s*,\s*(\w+)', table.group(1))


class OneIdiomPerJob(unittest.TestCase):
    def test_no_page_compares_a_constraint_name(self):
        found = []
        for path in c_sources(PAGES):
            for n, line in enumerate(code(path).split("\n"), 1):
                if re.search(r"(\.|->)constraint\b", line) or re.search(r"\btl_db_(change|try)\s*\(", line):
                    found.append(f"{path.name}:{n}: {line.strip()}")
                if path.name not in STREAMED and re.search(r"\btl_db_(in_tx|step|end|begin)\s*\(", line):
                    found.append(f"{path.name}:{n}: {line.strip()}")
        self.assertEqual(found, [], "a page reads a refusal by hand: give its call a map of rules and run it "
                                    "with tl_change (glue/tl_change.h)")

    def test_only_the_helper_reads_constraint_names_in_the_glue(self):
        found = [f"{p.name}:{n}" for p in c_sources(SRC / "glue") if p.name not in ("tl_change.c", "tl_db.c")
                 for n, line in enumerate(code(p).split("\n"), 1) if re.search(r"(\.|->)constraint\b", line)]
        self.assertEqual(found, [])

    def test_every_form_runs_its_change_through_the_helper(self):
        defined = {}
        for path in c_sources(PAGES):
            defined.update(functions(code(path)))
        handlers = post_handlers()
        self.assertGreater(len(handlers), 40, "the route table lost its POST routes?")
        missing = []
        for route, handler in handlers:
            self.assertIn(handler, defined, f"{handler} ({route}) is not defined in pages/")
            seen, todo = set(), [handler]
            while todo:
                name = todo.pop()
                if name in seen:
                    continue
                seen.add(name)
                todo.extend(c for c in calls(defined.get(name, "")) if c in defined or c in CHANGE_HELPERS)
            if not seen & CHANGE_HELPERS:
                missing.append(f"POST {route} ({handler})")
        self.assertEqual(missing, [], "POST routes whose change does not go through tl_change")

    def test_posted_fields_are_kept_by_one_helper(self):
        found = []
        for path in c_sources(PAGES):
            text = code(path)
            for n, line in enumerate(text.split("\n"), 1):
                if re.search(r'tl_view_set\s*\(\s*q->view\s*,\s*"f_\w+"\s*,\s*tl_field\s*\(', line):
                    found.append(f"{path.name}:{n}: {line.strip()}")
            for m in re.finditer(r'tl_view_set\s*\(\s*q->view\s*,\s*apr_pstrcat\([^;]*"f_"[^;]*tl_field\s*\(',
                                 text, flags=re.S):
                found.append(f"{path.name}:{text[:m.start()].count(chr(10)) + 1}: a loop keeping fields")
        self.assertEqual(found, [], "posted fields echoed by hand: use tl_form_keep (glue/tl_form.h)")

    def test_the_core_decodes_utf8_and_dates_once(self):
        sources = [p for folder in ("core", "glue", "pages") for p in c_sources(SRC / folder)]
        sources += c_sources(ROOT / "tools")
        decoders, calendars = [], []
        for path in sources:
            text = code(path)
            # A decoder folds continuation bytes into a code point.
            if re.search(r"<<\s*6\s*\)\s*\|\s*\(?[^;]*&\s*0x3F", text) and path.name != "tl_utf8.c":
                decoders.append(path.name)
            # Days from a civil date: the 400-year era of 146097 days.
            if re.search(r"\b(146097|719468)\b", text) and path.name != "tl_date.c":
                calendars.append(path.name)
        self.assertEqual(decoders, [], "a second UTF-8 decoder: use tl_utf8_decode (core/tl_utf8.h)")
        self.assertEqual(calendars, [], "a second calendar: use tl_days_from_civil (core/tl_date.h)")


if __name__ == "__main__":
    unittest.main()
