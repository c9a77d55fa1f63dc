/* The embed view (?vue=integree) in another site's iframe: tells the host
 * page the view's height, so the frame grows with it instead of showing
 * scroll bars, and asks the host to open a link of ours in the whole
 * window when the frame is sandboxed (WordPress frames with
 * sandbox="allow-scripts"). It speaks the messages of WordPress's embed
 * protocol, which its wp-embed.js answers: { message: "height", value,
 * secret } and { message: "link", value, secret }, the secret read from
 * the frame's address ("#?secret=..."); the host says { message: "ready" }
 * when it starts listening. Without this file the view works the same, at
 * the height the host gave its frame. */
(function () {
    'use strict';

    var parentWindow = window.parent;
    var found = /[#?&]secret=([A-Za-z0-9]+)/.exec(window.location.hash);
    var secret = found ? found[1] : '';
    var sent = 0;

    if (!parentWindow || parentWindow === window || !window.postMessage) {
        return;                 /* a page of its own: nothing to tell */
    }

    function send(message, value) {
        /* The host page may be any site allowed to frame us, and a
         * sandboxed frame has no origin of its own to compare with: the
         * secret, not the target origin, ties the message to its frame. */
        parentWindow.postMessage({ message: message, value: value, secret: secret }, '*');
    }

    function height() {
        var root = document.documentElement;
        return Math.ceil(root.getBoundingClientRect().height);
    }

    function tellHeight(again) {
        var h = height();
        if (again || h !== sent) {
            sent = h;
            send('height', h);
        }
    }

    window.addEventListener('message', function (e) {
        var data = e.data;
        if (e.source === parentWindow && data && data.message === 'ready' && (!secret || data.secret === secret)) {
            tellHeight(true);
        }
    });

    document.addEventListener('click', function (e) {
        var a = e.target && e.target.closest ? e.target.closest('a[href]') : null;
        if (!a || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
            return;
        }
        /* The link still opens by itself where the frame may navigate
         * the window (target _top); the host does it where it may not. */
        send('link', a.href);
    });

    window.addEventListener('load', function () { tellHeight(true); });
    window.addEventListener('resize', function () { tellHeight(false); });
    if (window.ResizeObserver) {
        new window.ResizeObserver(function () { tellHeight(false); }).observe(document.body);
    }
    tellHeight(true);
}());
