# Shared by script/server, script/test and script/cluster: installing what
# is missing, building, and the local PostgreSQL and httpd servers. Sourced,
# never run. Everything it starts lives in an ignored folder of the checkout
# and is stopped by pid.

TL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TL_PG_BIN=${TL_PG_BIN:-/usr/lib/postgresql/15/bin}
TL_HTTPD=${TL_HTTPD:-/usr/sbin/apache2}
TL_MODULES=${TL_MODULES:-/usr/lib/apache2/modules}

tl_say() { printf '==> %s\n' "$*" >&2; }
tl_die() { printf 'erreur : %s\n' "$*" >&2; exit 1; }

# The servers' accounts read what these scripts write (configurations, the
# staged demo site): a caller's umask such as 077 must not hide it from them.
# Secrets are made private where they are written.
umask 022

# tl_sed_repl TEXT: TEXT as the replacement of a sed s|...|...| command, so
# that a path holding "|", "&" or "\" is written as it is.
tl_sed_repl() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# tl_conninfo_quote VALUE: VALUE as one libpq conninfo value (a socket
# folder's path may hold spaces).
tl_conninfo_quote() { printf "'%s'" "$(printf '%s' "$1" | sed -e "s/[\\\\']/\\\\&/g")"; }

# Debian packages the build, the servers and the tests need. WordPress
# (test_wordpress.py, the oEmbed consumer) runs from PHP's command line on
# a private MariaDB: php-cgi and php are named so that apt satisfies
# WordPress's "libapache2-mod-php | php" without mod_php, which would switch
# the system's httpd to the prefork MPM; mariadb-server-core is the server
# alone, no service started.
TL_PACKAGES="apache2 apache2-dev libapr1-dev libaprutil1-dev libaprutil1-dbd-pgsql libpq-dev
libxml2-dev libssl-dev libqrencode-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev librsvg2-bin postgresql postgresql-contrib autoconf automake libtool pkg-config check make gcc"
TL_TEST_PACKAGES="python3-pytest python3-requests python3-psycopg2 python3-bs4 python3-icalendar python3-feedparser chromium zbar-tools librsvg2-bin wrk
tzdata clang-14 libclang-rt-14-dev faketime libfaketime python3-cryptography python3-pil libheif-examples openssl
wordpress php-cli php-cgi php php-mysql mariadb-server-core"
# What script/package adds to build the Debian package and check it, and
# what its chroot step adds to make a clean Debian 12 root.
TL_PACKAGE_PACKAGES="debhelper dpkg-dev fakeroot lintian"
TL_CHROOT_PACKAGES="debootstrap"

tl_install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    tl_say "installation de : ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The Node.js that Debian 12 ships, the one the browser tests run on.
TL_DEBIAN_NODE_MAJOR=18

# tl_debian_node: prints the command running Debian 12's own Node.js, even
# where another one (nodesource's 20, say) is the installed nodejs package:
# /usr/bin/node when the installed nodejs is Debian's, otherwise Debian's
# nodejs and libnode packages, at the newest such version apt knows, unpacked
# (apt-get download, dpkg -x) into the ignored .run/nodejs-debian and run by
# a small script that shows the loader the unpacked libnode. What libnode
# needs is installed from Debian, among it the JavaScript packages it reads
# from fixed paths at startup (/usr/share/nodejs/acorn, cjs-module-lexer,
# undici: Debian's "externalized builtins"), which any nodejs satisfies.
tl_debian_node() {
    local dir="$TL_ROOT/.run/nodejs-debian" re="^$TL_DEBIAN_NODE_MAJOR\.[0-9.]+\+dfsg" installed version="" v lib deb libdir try sudo=""
    installed=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null)
    if [[ $installed =~ $re ]] && [ -x /usr/bin/node ]; then
        echo /usr/bin/node
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    for try in 1 2; do
        for v in $(apt-cache madison nodejs 2>/dev/null | awk -F' *[|] *' '{print $2}'); do
            [[ $v =~ $re ]] || continue
            [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version" && version=$v
        done
        [ -z "$version" ] && [ $try -eq 1 ] || break
        $sudo apt-get update -qq || break   # lists never fetched, or cleaned
    done
    [ -n "$version" ] || { printf 'erreur : apt ne propose pas le nodejs %s de Debian\n' "$TL_DEBIAN_NODE_MAJOR" >&2; return 1; }
    lib=$(apt-cache show "nodejs=$version" | sed -n 's/^Depends:.*\(libnode[0-9]*\) .*/\1/p' | head -n 1)
    [ -n "$lib" ] || { printf 'erreur : nodejs %s ne nomme pas sa libnode\n' "$version" >&2; return 1; }
    tl_install_packages $(apt-cache show "$lib=$version" | sed -n 's/^Depends: //p' | head -n 1 |
        tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/ //g') || return 1
    if [ "$(cat "$dir/version" 2>/dev/null)" != "$version" ]; then
        tl_say "nodejs $version de Debian, déballé dans .run/nodejs-debian"
        rm -rf "$dir" && mkdir -p "$dir/deb" || return 1
        (cd "$dir/deb" && { apt-get download -qq "nodejs=$version" "$lib=$version" ||
            { $sudo apt-get update -qq && apt-get download -qq "nodejs=$version" "$lib=$version"; }; }) >"$dir/apt.log" 2>&1 ||
            { cat "$dir/apt.log" >&2; printf 'erreur : apt-get download nodejs=%s a échoué\n' "$version" >&2; return 1; }
        for deb in "$dir"/deb/*.deb; do dpkg -x "$deb" "$dir/root" || return 1; done
        rm -rf "$dir/deb" "$dir/apt.log"
        libdir=$(find "$dir/root" -name "libnode.so.*" -printf '%h\n' | head -n 1)
        [ -x "$dir/root/usr/bin/node" ] && [ -n "$libdir" ] ||
            { printf 'erreur : pas de node ni de libnode dans nodejs=%s\n' "$version" >&2; return 1; }
        cat >"$dir/node" <<EOF
#!/bin/sh
# Debian's nodejs $version unpacked beside this script (script/lib.sh).
here=\$(dirname "\$(readlink -f "\$0")")
LD_LIBRARY_PATH="\$here/${libdir#"$dir/"}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "\$here/root/usr/bin/node" "\$@"
EOF
        chmod 755 "$dir/node" && echo "$version" >"$dir/version" || return 1
    fi
    echo "$dir/node"
}

# Configure once, then make; CI builds with -Werror.
tl_build() {
    cd "$TL_ROOT" || exit 1
    if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
        tl_say "autoreconf"
        autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
    fi
    if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
        tl_say "configure"
        ./configure --enable-werror --with-apxs="$(command -v apxs || echo /usr/bin/apxs)" >/dev/null
    fi
    tl_say "make"
    make -s -j2 >/dev/null || make -j1
}

tl_module_path() { echo "$TL_ROOT/.libs/mod_tierslieux.so"; }

# ---- Folders the servers' accounts can reach -------------------------------

# PostgreSQL runs as postgres and httpd's children as www-data: neither may
# enter a checkout under a private home (mode 700, as root's on every
# Debian), and opening that home to them would change a permission outside
# the checkout. So a server's folder (the cluster, httpd's run folder) then
# lives in /var/tmp, with the checkout's ignored .run holding a link to it.
# The folder is named after the path it stands for: every run reuses the
# same one, never a new one, and a folder whose link was removed since
# (rm -rf .run) is emptied and used again, or removed once the path is
# reachable. Nothing else of the checkout is given to them: httpd reads the
# module, templates and layout as root at startup, and the demo site its
# children serve is copied (tl_httpd_site).
#
# tl_reachable_dir DIR USER [MAXLEN]: prints the folder standing for DIR,
# created: DIR itself when USER may go through DIR's parent and DIR's path
# is at most MAXLEN bytes long (a Unix socket's path is limited to 107),
# else the one in /var/tmp.
tl_reachable_dir() {
    local dir=$1 user=$2 max=${3:-4096} parent abs alt ours=""
    if [ -L "$dir" ] && [ -d "$dir" ]; then     # linked by an earlier run
        readlink -f "$dir"
        return 0
    fi
    [ -L "$dir" ] && rm -f "$dir"               # its folder is gone
    mkdir -p "$(dirname "$dir")"
    parent=$(cd "$(dirname "$dir")" && pwd -P)
    abs="$parent/$(basename "$dir")"
    alt=/var/tmp/tierslieux-$(basename "$abs" | tr -c 'A-Za-z0-9_.\n-' _ | cut -c1-20)-$(printf '%s' "$abs" | sha256sum | cut -c1-12)
    # A folder of that name is ours only if a plain folder of root's or
    # postgres's (/var/tmp is everyone's); its link is gone, so it is
    # emptied, or removed when DIR is reachable now (a different umask).
    if [ -d "$alt" ] && [ ! -L "$alt" ] && [[ "$(stat -c %U "$alt")" =~ ^(root|postgres)$ ]]; then
        ours=1
        tl_stop_servers_in "$alt"
    fi
    if [ ${#abs} -le "$max" ] && (cd / && runuser -u "$user" -- test -x "$parent") 2>/dev/null; then
        [ -z "$ours" ] || rm -rf "$alt"
        mkdir -p "$dir"
        echo "$abs"
        return 0
    fi
    if [ -n "$ours" ]; then
        find "$alt" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    elif [ -e "$alt" ] || [ -L "$alt" ]; then
        alt=$(mktemp -d "$alt.XXXXXX")
    fi
    mkdir -p "$alt"
    chown root:root "$alt"
    chmod 755 "$alt"
    if [ -d "$dir" ]; then                      # made before (by hand, an older version): moved
        find "$dir" -mindepth 1 -maxdepth 1 -exec mv -t "$alt" {} +
        rmdir "$dir"
    fi
    ln -sfn "$alt" "$dir"
    echo "$alt"
}

# tl_stop_servers_in DIR: stops a cluster or an httpd still running from a
# folder about to be emptied (its link was removed while they ran). A pid
# file left there counts only if its process is still that server.
tl_stop_servers_in() {
    local dir=$1 pid i
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) || pid=""
    if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$TL_PG_BIN/postgres")" ]; then
        tl_as_postgres "$TL_PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    pid=$(cat "$dir/httpd.pid" 2>/dev/null) || pid=""
    if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$TL_HTTPD")" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
    fi
}

# tl_remove DIR: removes DIR and, when it is a link made by tl_reachable_dir,
# the folder in /var/tmp too. Servers in it must be stopped first.
tl_remove() {
    local dir=$1 target
    if [ -L "$dir" ]; then
        target=$(readlink "$dir")
        [[ $target =~ ^/var/tmp/tierslieux-[^/]+$ ]] && rm -rf "$target"
    fi
    rm -rf "$dir"
}

# ---- PostgreSQL ------------------------------------------------------------

tl_as_postgres() { (cd / && runuser -u postgres -- "$@"); }   # cd: the checkout may be closed to it

# The cluster's folder: its socket ($real/.s.PGSQL.PORT) must fit 107 bytes.
tl_pg_dir_for() { tl_reachable_dir "$1" postgres 90; }

# tl_pg_create DIR PORT: a new, empty cluster, started: only the postgres
# superuser, over the private socket (tierslieux_web may come over loopback
# with a password once a restore, say, has made it).
tl_pg_create() {
    local dir port real
    dir=$1 port=$2
    real=$(tl_pg_dir_for "$dir")
    mkdir -p "$real"
    chown postgres:postgres "$real"
    chmod 700 "$real"
    tl_as_postgres "$TL_PG_BIN/initdb" -D "$real/data" --no-sync -A trust -E UTF8 \
        --locale=C.UTF-8 -U postgres >/dev/null
    cat >"$real/data/pg_hba.conf" <<HBA
local all all trust
host all tierslieux_web 127.0.0.1/32 scram-sha-256
HBA
    cat >>"$real/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${real//\'/\'\'}'
fsync = ${TL_PG_FSYNC:-on}
max_connections = 250
CONF
    tl_pg_start "$dir"
}

# tl_pg_init DIR PORT: a new cluster with the schema loaded and two roles:
# tierslieux (owner, over the private socket) and tierslieux_web (the web
# server, over loopback with a password kept in DIR/web-password).
tl_pg_init() {
    local dir=$1 port=$2 real password
    tl_pg_create "$dir" "$port"
    real=$(tl_pg_real "$dir")
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    (umask 077 && printf '%s\n' "$password" >"$real/web-password")
    tl_psql "$dir" postgres -q <<SQL
CREATE ROLE tierslieux LOGIN CREATEROLE;
CREATE DATABASE tierslieux OWNER tierslieux;
SQL
    "$TL_ROOT/script/migrate" -h "$real" -p "$port" -U tierslieux -d tierslieux >/dev/null
    tl_psql "$dir" tierslieux -q <<SQL
CREATE ROLE tierslieux_web LOGIN PASSWORD '$password' IN ROLE tierslieux_lecture, tierslieux_guichet;
SQL
}

# An existing demo cluster after a pull: new migrations, the web role's
# memberships, and the demo accounts if it has none yet. A cluster whose
# database script/migrate refuses (exit 3: made before the SQL was split by
# area, with only part of the dated migrations), or whose places have hours
# but not the rows read from them (made before 002_opening_hours: only the
# module's parser reads hours), is made again, demo and all.
tl_pg_upgrade() {
    local rc=0 port
    "$TL_ROOT/script/migrate" -h "$(tl_pg_real "$1")" -p "$(tl_pg_port "$1")" -U tierslieux -d tierslieux \
        2>"$1/migrate.err" || rc=$?
    if [ "$rc" -eq 0 ] && [ "$(tl_psql "$1" tierslieux -At -c "SELECT count(*) FROM tl.place p
            WHERE btrim(opening_hours) <> '' AND NOT EXISTS (SELECT 1 FROM tl.place_opening o WHERE o.place_id = p.id)")" != 0 ]; then
        rc=3
    fi
    if [ "$rc" -eq 3 ]; then
        tl_say "base de démonstration trop ancienne pour être mise à jour : refaite, avec les données de démonstration"
        port=$(tl_pg_port "$1")
        tl_pg_stop "$1"
        tl_remove "$1"
        tl_pg_init "$1" "$port"
        tl_pg_demo "$1"
        return 0
    fi
    cat "$1/migrate.err" >&2
    [ "$rc" -eq 0 ] || exit "$rc"
    tl_psql "$1" tierslieux -q -c "GRANT tierslieux_lecture, tierslieux_guichet TO tierslieux_web" >/dev/null
    if [ "$(tl_psql "$1" tierslieux -At -c 'SELECT count(*) FROM tl.account')" = 0 ]; then
        tl_psql "$1" tierslieux -q --single-transaction -f "$TL_ROOT/sql/demo/accounts.sql" >/dev/null
    fi
    # A demo cluster from before the mail queue: the demo's sender (script/courriels).
    tl_psql "$1" tierslieux -q -c "UPDATE tl.mail_setting SET sender_address = 'ne-pas-repondre@saint-aubin.example.fr'
                                   WHERE sender_address IS NULL" >/dev/null
}

tl_pg_real() { readlink -f "$1"; }
tl_pg_port() { sed -n 's/^port = //p' "$(tl_pg_real "$1")/data/postgresql.conf" | tail -n 1; }

tl_pg_start() {
    local real
    real=$(tl_pg_real "$1")
    # A cluster made before httpd's 200 workers (one connection each at most).
    sed -i 's/^max_connections = 150$/max_connections = 250/' "$real/data/postgresql.conf"
    tl_as_postgres "$TL_PG_BIN/pg_ctl" -D "$real/data" -l "$real/postgresql.log" -w -t 30 start >/dev/null
}

# tl_pg_stop DIR [MODE]: pg_ctl's stop, fast unless MODE says (immediate:
# as if the server died).
tl_pg_stop() {
    local real
    real=$(tl_pg_real "$1")
    [ -f "$real/data/postmaster.pid" ] || return 0
    tl_as_postgres "$TL_PG_BIN/pg_ctl" -D "$real/data" -m "${2:-fast}" -w -t 30 stop >/dev/null || true
}

# tl_pg_standby PRIMARY DIR PORT: a hot standby of the cluster PRIMARY in
# DIR, on PORT, streaming from it as PostgreSQL ships it (pg_basebackup -R:
# standby.signal and primary_conninfo), started; the web role's password
# file comes along, so httpd logs in to either with the same DBDParams.
tl_pg_standby() {
    local primary=$1 dir=$2 port=$3 preal real
    preal=$(tl_pg_real "$primary")
    grep -q '^local replication' "$preal/data/pg_hba.conf" ||
        { echo "local replication postgres trust" >>"$preal/data/pg_hba.conf" &&
          tl_as_postgres "$TL_PG_BIN/pg_ctl" -D "$preal/data" reload >/dev/null; }
    real=$(tl_pg_dir_for "$dir")
    mkdir -p "$real"
    chown postgres:postgres "$real"
    chmod 700 "$real"
    tl_as_postgres "$TL_PG_BIN/pg_basebackup" -h "$preal" -p "$(tl_pg_port "$primary")" -U postgres \
        -D "$real/data" -R -X stream --checkpoint=fast --no-sync
    cat >>"$real/data/postgresql.conf" <<CONF
port = $port
unix_socket_directories = '${real//\'/\'\'}'
CONF
    (umask 077 && cp "$preal/web-password" "$real/web-password")
    tl_pg_start "$dir"
}

# tl_pg_promote DIR: the standby in DIR becomes a primary (after its
# primary stopped), as a failover tool would make it.
tl_pg_promote() {
    tl_as_postgres "$TL_PG_BIN/pg_ctl" -D "$(tl_pg_real "$1")/data" -w -t 30 promote >/dev/null
}

# tl_psql DIR USER [psql args]: psql over the cluster's private socket.
tl_psql() {
    local dir=$1 user=$2
    shift 2
    psql -X -v ON_ERROR_STOP=1 -h "$(tl_pg_real "$dir")" -p "$(tl_pg_port "$dir")" -U "$user" \
        -d "$([ "$user" = postgres ] && echo postgres || echo tierslieux)" "$@"
}

tl_pg_demo() {
    local f
    for f in "$TL_ROOT/sql/demo/demo.sql" "$TL_ROOT/sql/demo/accounts.sql" "$TL_ROOT/sql/demo/courriels.sql" \
             "$TL_ROOT/sql/demo/reparation.sql" "$TL_ROOT/sql/demo/ressourcerie.sql" "$TL_ROOT/sql/demo/benevolat.sql" \
             "$TL_ROOT/sql/demo/temoignages.sql"; do
        tl_psql "$1" tierslieux -q --single-transaction -f "$f" >/dev/null
    done
}

tl_dbd_params() {
    local real
    real=$(tl_pg_real "$1")
    echo "host=127.0.0.1 port=$(tl_pg_port "$1") dbname=tierslieux user=tierslieux_web password=$(cat "$real/web-password") connect_timeout=2 gssencmode=disable"
}

# ---- httpd -------------------------------------------------------------------

# tl_httpd_conf RUNDIR PORT PGDIR: writes RUNDIR/httpd.conf from the demo
# configuration and RUNDIR/tierslieux.conf from the admin's example, with
# this checkout's paths: the module from the build tree, no install. httpd
# reads them, the module, its templates and the secret as root at startup;
# its children, as www-data, serve the demo site and read what a test's
# configuration adds there (an AuthUserFile): RUNDIR is the folder of
# tl_reachable_dir, and the configurations name it by its own path, never
# through a link in a private checkout. Paths are quoted in the
# configurations and may hold spaces, "|" or "&". DBDMax follows the demo's
# ThreadsPerChild: a request never waits for a pooled connection.
tl_httpd_conf() {
    local run=$1 port=$2 pg=$3 real site
    real=$(tl_reachable_dir "$run" www-data)
    mkdir -p "$real/logs" "$real/extra"
    if [ ! -s "$real/secret" ]; then
        (umask 077 && head -c 32 /dev/urandom | base64 >"$real/secret")
    fi
    site=$(tl_httpd_site "$real")
    # The demo's account on a library system it does not have (/carte,
    # conf/demo/httpd.conf.in): nothing secret.
    printf 'user = demo\npassword = demo\n' >"$real/sigb-demo.cred"
    # The image helper of this build, where httpd's children (www-data) may
    # run it even when the checkout is private.
    install -m 0755 "$TL_ROOT/tools/tierslieux-images" "$real/tierslieux-images"
    sed -e "s|@RUN_DIR@|$(tl_sed_repl "$real")|g" \
        -e "s|@PORT@|$port|g" \
        -e "s|@MODULES@|$(tl_sed_repl "$TL_MODULES")|g" \
        -e "s|@SITE_DIR@|$(tl_sed_repl "$site")|g" \
        "$TL_ROOT/conf/demo/httpd.conf.in" >"$real/httpd.conf"
    rm -f "$real/tierslieux.conf"
    (umask 077 && sed \
        -e "s|^DBDMax .*|DBDMax $(sed -n 's/^ThreadsPerChild *//p' "$TL_ROOT/conf/demo/httpd.conf.in")|" \
        -e "s|^LoadModule tierslieux_module .*|LoadModule tierslieux_module \"$(tl_sed_repl "$(tl_module_path)")\"|" \
        -e "s|^DBDParams .*|DBDParams \"$(tl_sed_repl "$(tl_dbd_params "$pg")")\"|" \
        -e "s|\"/usr/share/mod_tierslieux/templates\"|\"$(tl_sed_repl "$TL_ROOT/templates")\"|" \
        -e "s|\"/var/www/html/|\"$(tl_sed_repl "$site")/|" \
        -e "s|^TiersLieuxSecretFile .*|TiersLieuxSecretFile \"$(tl_sed_repl "$real/secret")\"|" \
        -e "s|^# TiersLieuxImageHelper .*|TiersLieuxImageHelper \"$(tl_sed_repl "$real/tierslieux-images")\"|" \
        "$TL_ROOT/conf/tierslieux.conf" >"$real/tierslieux.conf")
}

# tl_httpd_site RUN: the demo site's folder, which httpd's children serve
# (DocumentRoot, the server-side includes, the town hall's layout): the
# checkout's own when www-data may read all of it, so edits show at once;
# else a copy in RUN, made again at every start.
tl_httpd_site() {
    local run=$1 site="$TL_ROOT/conf/demo/site" unreadable
    rm -rf "$run/site"
    unreadable=$(cd / && runuser -u www-data -- find "$site" ! -readable -print -quit 2>&1) || unreadable=yes
    if [ -z "$unreadable" ]; then
        echo "$site"
        return 0
    fi
    cp -R "$site" "$run/site"
    chmod -R u+rwX,go+rX "$run/site"
    echo "$run/site"
}

tl_httpd_start() {
    local run=$1
    "$TL_HTTPD" -d "$run" -f "$run/httpd.conf" -k start || {
        cat "$run/logs/error.log" >&2 2>/dev/null
        return 1
    }
    local i
    for i in $(seq 1 100); do
        [ -s "$run/httpd.pid" ] && return 0
        sleep 0.05
    done
    tl_die "httpd n'a pas démarré (voir $run/logs/error.log)"
}

tl_httpd_stop() {
    local run=$1 i
    [ -s "$run/httpd.pid" ] || return 0
    kill -TERM "$(cat "$run/httpd.pid")" 2>/dev/null || true
    for i in $(seq 1 200); do         # the pid file goes when httpd is done
        [ -e "$run/httpd.pid" ] || return 0
        sleep 0.05
    done
}
