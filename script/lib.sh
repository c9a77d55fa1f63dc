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

# Debian packages the build, the servers and the tests need.
TL_PACKAGES="apache2 apache2-dev libapr1-dev libaprutil1-dev libaprutil1-dbd-pgsql libpq-dev
libxml2-dev libssl-dev libqrencode-dev postgresql postgresql-contrib autoconf automake libtool pkg-config check make gcc"
TL_TEST_PACKAGES="python3-pytest python3-requests python3-psycopg2 python3-bs4 python3-icalendar chromium zbar-tools librsvg2-bin wrk"

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

# ---- PostgreSQL ------------------------------------------------------------

# The cluster's folder must be reachable by the postgres user; a checkout
# under a private home is not, so its data then lives in /var/tmp with a
# link from the checkout.
tl_pg_dir_for() {
    local dir=$1
    mkdir -p "$(dirname "$dir")"
    if runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null; then
        echo "$dir"
    else
        local alt
        alt=$(mktemp -d /var/tmp/tierslieux-pg.XXXXXX)
        chmod 755 "$alt"
        ln -sfn "$alt" "$dir"
        echo "$alt"
    fi
}

# tl_pg_init DIR PORT: a new cluster with the schema loaded and two roles:
# tierslieux (owner, over the private socket) and tierslieux_web (the web
# server, over loopback with a password kept in DIR/web-password).
tl_pg_init() {
    local dir port real
    dir=$1 port=$2
    real=$(tl_pg_dir_for "$dir")
    mkdir -p "$real"
    chown postgres:postgres "$real"
    chmod 700 "$real"
    runuser -u postgres -- "$TL_PG_BIN/initdb" -D "$real/data" --no-sync -A trust -E UTF8 \
        --locale=C.UTF-8 -U postgres >/dev/null
    cat >"$real/data/pg_hba.conf" <<HBA
local all all trust
host all tierslieux_web 127.0.0.1/32 scram-sha-256
HBA
    cat >>"$real/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$real'
fsync = ${TL_PG_FSYNC:-on}
max_connections = 150
CONF
    tl_pg_start "$dir"
    local password
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" >"$real/web-password"
    chmod 600 "$real/web-password"
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
# memberships, and the demo accounts if it has none yet.
tl_pg_upgrade() {
    "$TL_ROOT/script/migrate" -h "$(tl_pg_real "$1")" -p "$(tl_pg_port "$1")" -U tierslieux -d tierslieux
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
    runuser -u postgres -- "$TL_PG_BIN/pg_ctl" -D "$real/data" -l "$real/postgresql.log" -w -t 30 start >/dev/null
}

tl_pg_stop() {
    local real
    real=$(tl_pg_real "$1")
    [ -f "$real/data/postmaster.pid" ] || return 0
    runuser -u postgres -- "$TL_PG_BIN/pg_ctl" -D "$real/data" -m fast -w -t 30 stop >/dev/null || true
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
             "$TL_ROOT/sql/demo/reparation.sql" "$TL_ROOT/sql/demo/ressourcerie.sql"; do
        tl_psql "$1" tierslieux -q --single-transaction -f "$f" >/dev/null
    done
}

tl_dbd_params() {
    local real
    real=$(tl_pg_real "$1")
    echo "host=127.0.0.1 port=$(tl_pg_port "$1") dbname=tierslieux user=tierslieux_web password=$(cat "$real/web-password") connect_timeout=3"
}

# ---- httpd -------------------------------------------------------------------

# tl_httpd_conf RUNDIR PORT PGDIR: writes RUNDIR/httpd.conf from the demo
# configuration and RUNDIR/tierslieux.conf from the admin's example, with
# this checkout's paths: the module from the build tree, no install.
tl_httpd_conf() {
    local run=$1 port=$2 pg=$3
    mkdir -p "$run/logs" "$run/extra"
    if [ ! -s "$run/secret" ]; then
        head -c 32 /dev/urandom | base64 >"$run/secret"
        chmod 600 "$run/secret"
    fi
    sed -e "s|@RUN_DIR@|$run|g" \
        -e "s|@PORT@|$port|g" \
        -e "s|@MODULES@|$TL_MODULES|g" \
        -e "s|@SITE_DIR@|$TL_ROOT/conf/demo/site|g" \
        "$TL_ROOT/conf/demo/httpd.conf.in" >"$run/httpd.conf"
    sed -e "s|/usr/lib/apache2/modules/mod_tierslieux.so|$(tl_module_path)|" \
        -e "s|^DBDParams .*|DBDParams \"$(tl_dbd_params "$pg")\"|" \
        -e "s|/usr/share/mod_tierslieux/templates|$TL_ROOT/templates|" \
        -e "s|/var/www/html/|$TL_ROOT/conf/demo/site/|" \
        -e "s|/etc/apache2/tierslieux.secret|$run/secret|" \
        "$TL_ROOT/conf/tierslieux.conf" >"$run/tierslieux.conf"
    chmod 600 "$run/tierslieux.conf"
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
