"""From a URL to its code: the route table against the developers' guide.

The URLs are French, the C is English, so no single naming rule can lead
from one to the other: docs/developpeurs.md holds a table, one row per path,
naming its handlers, their C file, the templates they render and the SQL
area files whose functions and views they call. This file keeps it true by
reading the C sources, the templates and sql/logic, without any server:

1. the route table (pages/tl_pages.c) is grouped: a comment heading per
   area, each path in one block (its GET and POST together), and no route
   placed after a wider one that would take its requests;
2. the guide's table has one row per path, under the heading of the route
   table's group, with exactly the route's handlers;
3. each handler is defined in the C file its row names;
4. the templates a row names exist and are those its handlers render,
   following the calls between the pages' functions (tl_render_page(q,
   "name", …)), whichever page file holds the call;
5. the SQL areas a row names are the files of sql/logic defining the
   functions and views its handlers call (shared helpers aside);
6. a page's template is named after its URL where the guide says so.

Each check gathers every problem, naming the route and what is wrong.
"""
import copy
import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULE = ROOT / "mod_tierslieux"
PAGES = MODULE / "pages"
ROUTE_TABLE = PAGES / "tl_pages.c"
GUIDE = ROOT / "docs" / "developpeurs.md"
SECTION = "From a URL to its code"
TEMPLATES = ROOT / "templates" / "fr"
SQL_LOGIC = ROOT / "sql" / "logic"

# Functions nearly every page calls, beside what it is about: French dates
# and amounts, the places a person works at (desk) or runs (back office),
# the journal of refused forms. A row names their area only when the page
# calls nothing else (the guide says so above the table).
SQL_HELPERS = {"date_fr", "euros", "account_roles", "admin_places", "journal_refusal"}

# GET pages whose template is not named after the path (the guide's rule):
# the home page has no segment, and catalogue.html is the name sites
# override most (TiersLieuxTemplateDir's example in docs/admin.md).
TEMPLATE_EXCEPTIONS = {"/": "accueil", "/outils": "catalogue"}

C_TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])+\'|/\*.*?\*/|//[^\n]*', re.S)
C_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')
ROUTE_LINE = re.compile(r'\{\s*M_(GET|POST)\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*TL_ROUTE_\w+\s*(?:,\s*"[^"]*"\s*)?\}')
GROUP_LINE = re.compile(r"/\* ---- (.+?) -+ \*/")


def read(path):
    return path.read_text(encoding="utf-8")


# ---- the route table -------------------------------------------------------

class Route:
    def __init__(self, group, method, path, fn, line):
        self.group, self.method, self.path, self.fn, self.line = group, method, path, fn, line

    def __repr__(self):
        return f"{self.method} {self.path}"


def routes_in_table(text=None):
    """The routes of tl_routes[] in order, each with the group heading
    (a "/* ---- Name ---- */" comment) it sits under."""
    text = read(ROUTE_TABLE) if text is None else text
    start = text.find("tl_routes[] = {")
    assert start >= 0, "no route table (tl_routes[]) in tl_pages.c"
    end = text.index("\n};", start)
    routes, group = [], None
    first = text.count("\n", 0, start) + 1
    for n, line in enumerate(text[start:end].split("\n")):
        heading = GROUP_LINE.search(line)
        if heading:
            group = heading.group(1)
        m = ROUTE_LINE.search(line)
        if m:
            routes.append(Route(group, *m.groups(), first + n))
    assert len(routes) > 40, "the route table was not read"
    return routes


def segments(pattern):
    return pattern.strip("/").split("/") if pattern != "/" else []


def overlap(a, b):
    """Whether some path matches both patterns ('*' is one whole segment)."""
    sa, sb = segments(a), segments(b)
    return len(sa) == len(sb) and all(x == y or "*" in (x, y) for x, y in zip(sa, sb))


def wider(a, b):
    """Whether pattern a matches every path b does, and more."""
    return a != b and overlap(a, b) and all(x == y or x == "*" for x, y in zip(segments(a), segments(b)))


def grouping_problems(routes):
    problems, seen, previous = [], {}, None
    for r in routes:
        if r.group is None:
            problems.append(f"line {r.line}: {r} comes before any group heading (/* ---- Area ---- */)")
        if r.path != previous and r.path in seen:
            problems.append(f"line {r.line}: {r} is apart from the other method of {r.path} "
                            f"(line {seen[r.path]}): put a path's GET and POST together")
        seen.setdefault(r.path, r.line)
        previous = r.path
    groups = [r.group for r in routes]
    for g in set(groups) - {None}:
        at = [i for i, x in enumerate(groups) if x == g]
        if at != list(range(at[0], at[-1] + 1)):
            problems.append(f"the group heading '{g}' appears twice in the route table")
    return problems


def shadowing_problems(routes):
    """The router takes the first route whose method and pattern match: a
    pattern placed after a wider one of the same method loses its requests,
    and two that overlap without one being wider depend on their order."""
    problems = [f"line {r.line}: {r}: a '*' stands for a whole segment here (the router's, and these "
                f"checks', reading)" for r in routes if any("*" in x and x != "*" for x in segments(r.path))]
    for i, a in enumerate(routes):
        for b in routes[i + 1:]:
            if a.method != b.method or a.path == b.path or not overlap(a.path, b.path):
                continue
            if wider(a.path, b.path):
                problems.append(f"line {b.line}: {b} comes after {a} (line {a.line}), which takes its "
                                "requests: put the fixed path first")
            elif not wider(b.path, a.path):
                problems.append(f"{a} (line {a.line}) and {b} (line {b.line}) both match some paths, "
                                "and neither is wider: which answers depends on their order")
    return problems


# ---- the C sources ---------------------------------------------------------

class CFile:
    """A C file's function bodies and file-level definitions (macros,
    tables, constants), comments removed and strings kept."""

    def __init__(self, path):
        self.path = path
        self.functions, self.statics, self.defines = {}, set(), {}
        text = C_TOKEN.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else " ", read(path))
        code = []
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.lstrip().startswith("#"):
                while line.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    line = line[:-1] + " " + lines[i]
                m = re.match(r"\s*#\s*define\s+(\w+)(?:\([^)]*\))?(.*)", line)
                if m:
                    self.defines[m.group(1)] = m.group(2)
                line = ""
            code.append(line)
            i += 1
        self._split("\n".join(code))

    def _split(self, code):
        depth, start, head_from = 0, 0, 0
        for m in re.finditer(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])+\'|[{};]', code):
            t = m.group(0)
            if t == "{":
                if depth == 0:
                    start = m.start()
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    head = code[head_from:start]
                    sig = re.search(r"\b(\w+)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$", head)
                    if sig and "=" not in head:
                        self.functions[sig.group(1)] = code[start:m.end()]
                        if re.search(r"\bstatic\b", head):
                            self.statics.add(sig.group(1))
                    else:
                        name = re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*=\s*$", head)
                        if name:
                            self.defines[name.group(1)] = code[head_from:m.end()]
                        head_from = m.end()
                        continue
                    head_from = m.end()
            elif t == ";" and depth == 0:
                name = re.search(r"(\w+)\s*(?:\[[^\]]*\])?\s*=", code[head_from:m.start()])
                if name:
                    self.defines[name.group(1)] = code[head_from:m.end()]
                head_from = m.end()


def expand(text, defines):
    """text with the file-level macros and tables it names appended, in turn."""
    done = set()
    while True:
        more = [w for w in set(re.findall(r"\b[A-Za-z_]\w*\b", text)) if w in defines and w not in done]
        if not more:
            return text
        for w in sorted(more):
            done.add(w)
            text += "\n" + defines[w]


def rendered(text, defines):
    out = set()
    for arg in re.findall(r'\btl_render_page\(\s*\w+\s*,\s*("(?:\\.|[^"\\])*"|\w+)', text):
        if arg.startswith('"'):
            out.add(arg[1:-1])
        else:
            out.update(s[1:-1] for s in C_STRING.findall(defines.get(arg, "")))
    return out


class Sources:
    """The pages' C files (and any other file the guide names), with the
    functions each reaches through the calls between them."""

    def __init__(self, extra=()):
        paths = sorted(PAGES.glob("*.c")) + [p for p in extra if p.exists()]
        self.files = {p: CFile(p) for p in dict.fromkeys(paths)}
        self.public = {}
        for f in self.files.values():
            for name in f.functions:
                if name not in f.statics:
                    self.public[name] = f

    def defined_in(self, fn):
        return [f.path for f in self.files.values() if fn in f.functions]

    def reach(self, fn):
        """(templates, tl.* names) of what fn and the pages' functions it
        names, transitively, render and query."""
        templates, sql, seen = set(), set(), set()
        start = self.public.get(fn)
        todo = [(start, fn)] if start else []
        while todo:
            f, name = todo.pop()
            if (f.path, name) in seen:
                continue
            seen.add((f.path, name))
            text = expand(f.functions[name], f.defines)
            templates |= rendered(text, f.defines)
            for s in C_STRING.findall(text):
                sql.update(re.findall(r"\btl\.(\w+)", s))
            for w in set(re.findall(r"\b[A-Za-z_]\w*\b", text)) - {name}:
                if w in f.functions:                    # the file's own (static or not) first
                    todo.append((f, w))
                elif w in self.public:
                    todo.append((self.public[w], w))
        return templates, sql


# ---- sql/logic -------------------------------------------------------------

def sql_definitions():
    """tl.name -> the area files (stems) of sql/logic creating that
    function or view."""
    defs = {}
    for path in sorted(SQL_LOGIC.glob("*.sql")):
        for name in re.findall(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|(?:MATERIALIZED\s+)?VIEW)"
                               r"\s+tl\.(\w+)", read(path), flags=re.I):
            defs.setdefault(name, set()).add(path.stem)
    assert defs, "no function or view found in sql/logic"
    return defs


def sql_areas(names, defs):
    """The areas a row names for the tl.* names its handlers use: those
    defining them, the shared helpers' only when nothing else is called."""
    own = {a for n in names - SQL_HELPERS if n in defs for a in defs[n]}
    return own or {a for n in names if n in defs for a in defs[n]}


# ---- the guide's table -----------------------------------------------------

class Row:
    def __init__(self, group, cells, line):
        self.group, self.line = group, line
        code = [re.findall(r"`([^`]+)`", c) for c in cells]
        self.path = code[0][0] if code[0] else cells[0].strip()
        self.handlers = {"GET": code[1], "POST": code[2]}
        self.files, self.templates, self.areas = code[3], code[4], code[5]

    def c_paths(self):
        return [MODULE / f if "/" in f else PAGES / f for f in self.files]

    def __repr__(self):
        return f"docs/developpeurs.md:{self.line} ({self.path})"


def guide_rows(text=None):
    """The rows of the guide's section, each under its ### heading."""
    text = read(GUIDE) if text is None else text
    m = re.search(r"^## " + re.escape(SECTION) + r"\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, f"docs/developpeurs.md has no '## {SECTION}' section"
    first = text.count("\n", 0, m.start(1)) + 1
    rows, group = [], None
    for n, line in enumerate(m.group(1).split("\n")):
        heading = re.match(r"### (.+?)\s*$", line)
        if heading:
            group = heading.group(1)
        elif line.startswith("|") and "`/" in line.split("|")[1]:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == 6, f"docs/developpeurs.md:{first + n}: a row has 6 cells " \
                                    "(path, GET, POST, C file, templates, SQL area)"
            rows.append(Row(group, cells, first + n))
    return rows


def table_problems(routes, rows, sources, defs):
    problems = []
    by_path = {}
    for row in rows:
        if row.path in by_path:
            problems.append(f"{row}: {row.path} has a second row")
        by_path[row.path] = row
    paths = {r.path for r in routes}
    problems += [f"{row}: {row.path} is not in the route table" for row in rows if row.path not in paths]
    route_groups = list(dict.fromkeys(r.group for r in routes))
    row_groups = list(dict.fromkeys(row.group for row in rows))
    if row_groups != route_groups:
        problems.append(f"the guide's table has the headings {row_groups}, the route table's groups are "
                        f"{route_groups}: the same, in the same order")
    for path in dict.fromkeys(r.path for r in routes):
        mine = [r for r in routes if r.path == path]
        row = by_path.get(path)
        if not row:
            problems.append(f"{' and '.join(map(repr, mine))}: no row in docs/developpeurs.md's table "
                            f"(## {SECTION}, under ### {mine[0].group})")
            continue
        if row.group != mine[0].group:
            problems.append(f"{row}: under ### {row.group}, but the route table has {path} "
                            f"in the group {mine[0].group}")
        templates, sql = set(), set()
        for method in ("GET", "POST"):
            route = next((r for r in mine if r.method == method), None)
            want = [route.fn] if route else []
            if row.handlers[method] != want:
                problems.append(f"{row}: its {method} column names {row.handlers[method] or 'nothing'}, "
                                f"the route table {want or 'nothing'}")
            if not route:
                continue
            where = sources.defined_in(route.fn)
            if not any(p in where for p in row.c_paths()):
                problems.append(f"{route} ({route.fn}): the row names {row.files}, but the function is "
                                f"defined in {[str(p.relative_to(MODULE)) for p in where] or 'no file'}")
            t, s = sources.reach(route.fn)
            templates |= t
            sql |= s
        for f, p in zip(row.files, row.c_paths()):
            if not p.exists():
                problems.append(f"{row}: the C file {f} does not exist")
            elif not any(h in sources.files[p].functions for hs in row.handlers.values() for h in hs):
                problems.append(f"{row}: {f} defines none of the row's handlers")
        named = [t.removesuffix(".html") for t in row.templates]
        for t in named:
            if not (TEMPLATES / f"{t}.html").exists():
                problems.append(f"{row}: the template {t}.html is not in templates/fr")
            elif t not in templates:
                problems.append(f"{row}: names {t}.html, which none of its handlers renders "
                                f"(they render {sorted(templates) or 'no template'})")
        for t in sorted(templates - set(named)):
            problems.append(f"{row}: its handlers render {t}.html, which the row does not name")
        named_areas = [a.removesuffix(".sql") for a in row.areas]
        for a in named_areas:
            if not (SQL_LOGIC / f"{a}.sql").exists():
                problems.append(f"{row}: the SQL area sql/logic/{a}.sql does not exist")
        want = sql_areas(sql, defs)
        if set(named_areas) != want:
            calls = sorted(n for n in sql if n in defs)
            problems.append(f"{row}: names the SQL areas {sorted(named_areas) or 'none'}, its handlers call "
                            f"{['tl.' + n for n in calls] or 'no function or view of sql/logic'}, "
                            f"defined in {sorted(want) or 'none'}")
    return problems


def template_rule_problems(routes, sources):
    """A GET page's template is its path's segments joined by '-'
    (/guichet/ressourcerie/caisse: guichet-ressourcerie-caisse.html);
    a path with a '*' shows one thing and is named for it."""
    problems = []
    for r in routes:
        if r.method != "GET" or "*" in r.path:
            continue
        templates, _ = sources.reach(r.fn)
        if not templates:
            continue                          # a file (.csv, .json, .svg) or a redirection
        want = TEMPLATE_EXCEPTIONS.get(r.path, "-".join(segments(r.path)))
        if want not in templates:
            problems.append(f"{r} ({r.fn}) renders {sorted(templates)}, not {want}.html as its path says")
    return problems


# ---- the tests -------------------------------------------------------------

def no_problems(test, problems, where):
    """Fails listing every problem, one a line."""
    if problems:
        test.fail(f"{where}: {len(problems)} problem(s)\n  " + "\n  ".join(problems))


def tables():
    routes, rows = routes_in_table(), guide_rows()
    sources = Sources(p for row in rows for p in row.c_paths())
    return routes, rows, sources, sql_definitions()


class RouteTableTest(unittest.TestCase):
    def test_the_route_table_is_grouped_by_area(self):
        routes = routes_in_table()
        no_problems(self, grouping_problems(routes), "tl_routes[] in mod_tierslieux/pages/tl_pages.c")
        groups = list(dict.fromkeys(r.group for r in routes))
        self.assertGreaterEqual(len(groups), 5)
        print(f"\n{len(routes)} routes, {len({r.path for r in routes})} paths, each in one block, "
              f"in {len(groups)} groups")

    def test_no_route_is_shadowed_by_an_earlier_one(self):
        no_problems(self, shadowing_problems(routes_in_table()),
                    "tl_routes[] in mod_tierslieux/pages/tl_pages.c")

    def test_the_checks_see_a_scattered_or_shadowed_route(self):
        text = read(ROUTE_TABLE)

        def line(needle):
            return next(ln for ln in text.split("\n") if needle in ln)

        post = line('"/gestion/equipe", tl_page_admin_team_post')
        scattered = text.replace(post + "\n", "").replace("    { 0, NULL", post + "\n    { 0, NULL")
        self.assertTrue(any("POST /gestion/equipe is apart from the other method" in p
                            for p in grouping_problems(routes_in_table(scattered))))
        wildcard, agenda = line('"/reparation/*", '), line('"/reparation", ')
        early = text.replace(wildcard + "\n", "").replace(agenda, agenda + "\n" + wildcard)
        found = shadowing_problems(routes_in_table(early))
        self.assertTrue(any("GET /reparation/reservation comes after GET /reparation/*" in p for p in found),
                        found)


class NamesTableTest(unittest.TestCase):
    def test_every_path_has_its_true_row(self):
        routes, rows, sources, defs = tables()
        problems = table_problems(routes, rows, sources, defs)
        no_problems(self, problems, f"docs/developpeurs.md, ## {SECTION}")
        print(f"\n{len(rows)} rows for {len(routes)} routes: handlers, C files, "
              f"{len({t for r in rows for t in r.templates})} templates, "
              f"{len({a for r in rows for a in r.areas})} SQL areas, each checked")

    def test_page_templates_are_named_after_their_url(self):
        routes, _, sources, _ = tables()
        no_problems(self, template_rule_problems(routes, sources), f"templates/fr (see ## {SECTION})")

    def test_every_page_template_is_in_the_table(self):
        _, rows, _, _ = tables()
        named = {t.removesuffix(".html") for r in rows for t in r.templates}
        # The frames every page may go in (the layout, the embed view's
        # integree.html) and the error page are no page of their own.
        pages = {p.stem for p in TEMPLATES.glob("*.html")} - {"layout", "integree", "erreur"}
        self.assertEqual(sorted(pages - named), [], "templates/fr pages no row of the guide names")

    def test_the_checks_see_a_wrong_row(self):
        routes, rows, sources, defs = tables()

        def problems_with(path, **change):
            altered = [copy.copy(row) for row in rows]
            for row in altered:
                if row.path == path:
                    row.__dict__.update(change)
            return "\n".join(table_problems(routes, altered, sources, defs))

        self.assertIn("tl_page_desk_lend_check): the row names ['page_desk_member.c']",
                      problems_with("/guichet/pret/verifier", files=["page_desk_member.c"]))
        self.assertIn("the template guichet-pret-bis.html is not in templates/fr",
                      problems_with("/guichet/pret", templates=["guichet-pret-bis.html"]))
        self.assertIn("names guichet-retards.html, which none of its handlers renders",
                      problems_with("/guichet/pret", templates=["guichet-retards.html"]))
        self.assertIn("its handlers render guichet-pret.html, which the row does not name",
                      problems_with("/guichet/pret", templates=[]))
        self.assertIn("names the SQL areas ['seeds'], its handlers call",
                      problems_with("/guichet/ressourcerie/caisse", areas=["seeds.sql"]))
        self.assertIn("the SQL area sql/logic/pret.sql does not exist",
                      problems_with("/guichet/retour", areas=["pret.sql"]))
        self.assertIn("its POST column names nothing, the route table ['tl_page_admin_team_post']",
                      problems_with("/gestion/equipe", handlers={"GET": ["tl_page_admin_team"], "POST": []}))
        self.assertIn("under ### Seeds, but the route table has /compte",
                      problems_with("/compte", group="Seeds"))
        missing = "\n".join(table_problems(routes, [r for r in rows if r.path != "/compte/effacer"],
                                           sources, defs))
        self.assertIn("POST /compte/effacer: no row in docs/developpeurs.md's table", missing)

    def test_the_call_graph_follows_helpers_and_macros(self):
        sources = Sources()
        templates, sql = sources.reach("tl_page_desk_reuse_sell")     # through the static tl_till_show
        self.assertEqual(templates, {"guichet-ressourcerie-caisse"})
        self.assertTrue({"sell", "till_day", "till_totals"} <= sql)
        templates, sql = sources.reach("tl_page_place")               # SQL in #define'd strings
        self.assertEqual(templates, {"lieu"})
        self.assertIn("item_count", sql)
        templates, sql = sources.reach("tl_page_item_qr")              # an SVG, from tables only
        self.assertEqual(templates, set())
        self.assertIn("item", sql)
        self.assertEqual(sql & set(sql_definitions()), set())


if __name__ == "__main__":
    unittest.main()
