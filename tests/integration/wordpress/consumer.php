<?php
/* WordPress, Debian's package, as a site that embeds our pages: bootstrapped
 * from PHP's command line on a private MariaDB (tests/integration/
 * test_wordpress.py starts it), without /etc/wordpress or a web server.
 *
 *   php consumer.php install SOCKET CONTENT_DIR
 *       creates WordPress's tables (wp_install)
 *   php consumer.php embed SOCKET CONTENT_DIR URL
 *       prints, as JSON, what wp_oembed_get(URL) returns: WordPress finds
 *       our oEmbed link in the page, asks our endpoint and filters the
 *       iframe as it does for any provider it discovered. */
if ($argc < 4) {
    fwrite(STDERR, "usage: php consumer.php install|embed SOCKET CONTENT_DIR [URL]\n");
    exit(2);
}
[, $step, $socket, $content] = $argv;

define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:' . $socket);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', 'http://wordpress.test');
define('WP_SITEURL', 'http://wordpress.test');
define('WP_CONTENT_DIR', $content);
define('WPMU_PLUGIN_DIR', $content . '/mu-plugins');
define('WP_DEBUG', false);
define('ABSPATH', '/usr/share/wordpress/');
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'wordpress.test';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

if ($step === 'install') {
    define('WP_INSTALLING', true);
    require ABSPATH . 'wp-settings.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    add_filter('pre_wp_mail', '__return_false');      /* no "your new site" e-mail */
    $result = wp_install('Médiathèque de test', 'admin', 'admin@example.org', false, '', 'mot-de-passe-de-test');
    echo json_encode(['installed' => !empty($result['user_id'])]), "\n";
    exit(0);
}
if ($step === 'embed' && $argc === 5) {
    require ABSPATH . 'wp-settings.php';
    $html = wp_oembed_get($argv[4]);
    echo json_encode(['html' => $html, 'mu_plugin' => function_exists('tl_test_loopback_allowed')]), "\n";
    exit(0);
}
fwrite(STDERR, "unknown step\n");
exit(2);
