<?php
/* A must-use plugin for the tests only: WordPress refuses to fetch from a
 * loopback address or a port other than 80, 443 and 8080 (its protection
 * against requests forged toward the inside of a network). The tests'
 * httpd listens on 127.0.0.1 at a free port, named by TL_TEST_PORT. */
function tl_test_loopback_allowed($host)
{
    return $host === '127.0.0.1';
}

add_filter('http_request_host_is_external', function ($external, $host) {
    return $external || tl_test_loopback_allowed($host);
}, 10, 2);

add_filter('http_allowed_safe_ports', function ($ports) {
    $ports[] = (int) getenv('TL_TEST_PORT');
    return $ports;
});
