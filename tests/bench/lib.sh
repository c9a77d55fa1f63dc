# Shared by the benchmarks of tests/bench (sourced after script/lib.sh,
# with $web set to the httpd's run folder).

# Average RSS, PSS and private memory (kB) of the httpd children.
workers_memory_kb() {
    local parent pid r p u rss=0 pss=0 uss=0 n=0
    parent=$(cat "$web/httpd.pid")
    for pid in $(pgrep -P "$parent"); do
        read -r r p u < <(awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_(Clean|Dirty):/ {u+=$2}
                               END {print r, p, u}' /proc/"$pid"/smaps_rollup)
        rss=$((rss + r)); pss=$((pss + p)); uss=$((uss + u)); n=$((n + 1))
    done
    echo "$((rss / n)) $((pss / n)) $((uss / n))"
}

# Points the httpd of $web at a configuration keeping mod_dbd and its pool
# but not the module (a site that already uses them), or back.
without_module() {
    grep -E '^(LoadModule dbd_module|DBD)' "$web/tierslieux.conf" >"$web/dbd-only.conf"
    sed -i "s|^Include \"\(.*\)/tierslieux.conf\"|Include \"\1/dbd-only.conf\"|" "$web/httpd.conf"
}

# Restarts the httpd of $web serving $TL_RUN_DIR/static at /copie-statique
# beside the module: a static copy, byte for byte, on the same server.
serve_static_copies() {
    mkdir -p "$TL_RUN_DIR/static"
    cat >"$web/extra/bench-static.conf" <<CONF
LoadModule alias_module $TL_MODULES/mod_alias.so
Alias /copie-statique "$TL_RUN_DIR/static"
<Directory "$TL_RUN_DIR/static">
    Require all granted
</Directory>
CONF
    tl_httpd_stop "$web"
    tl_httpd_start "$web"
}
