// The context and its windows in a fake browser: connection, VIEW/VIEW_START/DATA, runtime
// ids, redirects, history, pings, reconnects, client errors and custom messages.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Lona } from '../lona.js';
import { backoffDelay, socketUrl } from '../context.js';
import { P, withPage } from './helpers.mjs';

const GOLDEN_DATA = 'lona:[1,"1",203,["My Title",[502,[401,"8","","div",[],[],{"color":"red"},{},[[401,"5","","h1",[],["title"],{},{},[[402,"6","Counter"]],"",null],[401,"1","","span",["counter"],[],{},{},[[402,"2","0"]],"",null],[401,"3","","button",[],[],{},{"data-lona-events":"301"},[[402,"4","+1"]],"",null],[401,"7","","input",[],[],{},{"type":"text","value":"x","data-lona-events":"302:300"},[],"",null]],"",null]]]]';

test('the socket is the page\'s own path; backoff doubles up to the cap', () => {
    assert.equal(socketUrl(new URL('http://localhost:8080/a/b/?q=1')), 'ws://localhost:8080/a/b/');
    assert.equal(socketUrl(new URL('https://example.org/')), 'wss://example.org/');
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(n => backoffDelay(n, 1000, 30000)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('on open, window 1 sends VIEW for the page URL with null post data', () => {
    withPage(({ browser, ws }) => {
        assert.equal(browser.sockets.length, 1);
        assert.equal(ws().url, 'ws://localhost:8080/count/');
        assert.deepEqual(ws().sent, [], 'nothing is sent before the socket opens');
        ws().open();
        assert.deepEqual(ws().sent, ['lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]']);
        assert.equal(browser.doc.title, 'Lona');
    });
});

test('VIEW_START, DATA and ACK: the page renders, the initial load does not push history', () => {
    withPage(({ browser, context, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive(GOLDEN_DATA);
        assert.equal(browser.doc.title, 'My Title');
        assert.match(browser.root.innerHTML, /<span data-lona-node-id="1" id="counter">0<\/span>/);
        assert.deepEqual(browser.pushed, []);
        assert.deepEqual(browser.scrolls, [[0, 0]]);
        assert.deepEqual(context.state().windows[0], {
            id: 1, url: 'http://localhost:8080/count/?x=1', runtime_id: '1', running: true, nodes: 8, widgets: 0,
            ack_mode: false, last_applied: 0, resuming: false, queued: 0, last_sent: 0, unconfirmed: 0,
        });

        ws().receive('lona:[1,"1",203,["",[503,[["1",605,702,[[402,"9","1"]]]]]]]');
        assert.match(browser.root.innerHTML, /id="counter">1<\/span>/);
        assert.equal(browser.doc.title, 'My Title', 'an empty title keeps the old one');

        ws().receive('lona:[1,"1",205,null]');
        assert.equal(context.state().windows[0].running, false);
    });
});

test('messages of another runtime are ignored', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().receive('lona:[1,"2",204,null]');
        ws().receive(GOLDEN_DATA);
        assert.equal(browser.root.innerHTML, '', 'DATA of runtime "1" does not show in a window running "2"');
        ws().receive('lona:[7,"2",204,null]');
        ws().receive('lona:[null,null,206,null]');
    });
});

test('REDIRECT is handled before the runtime check and pushes history when the view starts', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"old",201,"../other/"]');
        assert.equal(ws().sent.at(-1), 'lona:[1,null,101,["http://localhost:8080/other/",null]]');
        assert.deepEqual(browser.pushed, []);
        ws().receive('lona:[1,"2",204,null]');
        assert.deepEqual(browser.pushed, ['http://localhost:8080/other/']);
    });
});

test('a view that redirects before showing anything is replaced in history, not kept', () => {
    // Found by the browser suite: after a link to a redirecting view, Back ran that view
    // again and its redirect led forward to the target once more.
    withPage(({ browser, context, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",203,["",[502,[401,"1","","a",[],[],{},{"href":"/redirect/"},[],"",null]]]]');
        context.run_view('/redirect/');
        ws().receive('lona:[1,"2",204,null]');
        assert.deepEqual(browser.pushed, ['http://localhost:8080/redirect/']);

        ws().receive('lona:[1,"2",201,"/target/"]');
        assert.equal(ws().sent.at(-1), 'lona:[1,null,101,["http://localhost:8080/target/",null]]');
        ws().receive('lona:[1,"3",204,null]');
        assert.deepEqual(browser.pushed, ['http://localhost:8080/redirect/'], 'the hop pushes nothing');
        assert.deepEqual(browser.replaced, ['http://localhost:8080/target/']);
        assert.equal(browser.location.href, 'http://localhost:8080/target/');

        // A redirect of a view that shows something (say, from a click handler) is a
        // navigation of its own: the view it leaves keeps its entry.
        ws().receive('lona:[1,"3",203,["",[502,[402,"2","target"]]]]');
        ws().receive('lona:[1,"3",201,"/after-click/"]');
        ws().receive('lona:[1,"4",204,null]');
        assert.deepEqual(browser.pushed, ['http://localhost:8080/redirect/', 'http://localhost:8080/after-click/']);
        assert.deepEqual(browser.replaced, ['http://localhost:8080/target/']);
    });
});

test('a redirect on the first load replaces the entry of the page that was loaded', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",201,"/login/"]');
        ws().receive('lona:[1,"2",204,null]');
        assert.deepEqual(browser.pushed, []);
        assert.deepEqual(browser.replaced, ['http://localhost:8080/login/']);
    });
});

test('HTTP_REDIRECT loads the URL, even with a null runtime id', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().receive('lona:[1,null,202,"/plain/"]');
        assert.equal(browser.location.assigned, 'http://localhost:8080/plain/');
    });
});

test('a clicked link becomes a VIEW with a history entry; popstate runs a VIEW without one', () => {
    withPage(({ browser, context, ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",203,["",[502,[401,"1","","a",[],[],{},{"href":"/next/"},[],"",null]]]]');
        const link = context.get_default_window().engine.getNode('1');
        let prevented = false;
        link.dispatchEvent({
            type: 'click', button: 0, bubbles: true,
            preventDefault() {
                prevented = true;
            },
            stopPropagation() {},
        });
        assert.equal(prevented, true);
        assert.equal(ws().sent.at(-1), 'lona:[1,null,101,["http://localhost:8080/next/",null]]');
        ws().receive('lona:[1,"2",204,null]');
        assert.deepEqual(browser.pushed, ['http://localhost:8080/next/']);

        browser.location.url = new URL('http://localhost:8080/count/?x=1');
        browser.dispatch('popstate');
        assert.equal(ws().sent.at(-1), 'lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]');
        ws().receive('lona:[1,"3",204,null]');
        assert.equal(browser.pushed.length, 1, 'popstate does not push');

        const sent = ws().sent.length;
        browser.location.url = new URL('http://localhost:8080/count/?x=1#part');
        browser.dispatch('popstate');
        assert.equal(ws().sent.length, sent, 'a changed anchor alone keeps the view');
    });
});

test('no VIEW_START in time shows "Waiting for server..." in the window', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        mock.timers.tick(1999);
        assert.equal(browser.root.innerHTML, '');
        mock.timers.tick(1);
        assert.equal(browser.root.innerHTML, '<div class="lona-queued" role="status">Waiting for server...</div>');
        ws().receive('lona:[1,"1",204,null]');
        assert.equal(browser.root.innerHTML, '');
    });
});

test('pings are exactly [null,null,PING,null]; PONG is ignored', () => {
    withPage(({ ws }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        mock.timers.tick(60000);
        assert.equal(ws().sent.at(-1), 'lona:[null,null,105,null]');
        ws().receive('lona:[null,null,206,null]');
        mock.timers.tick(60000);
        assert.equal(ws().sent.filter(frame => frame === 'lona:[null,null,105,null]').length, 2);
    });
});

test('a ping interval of 0 disables pings', () => {
    withPage(({ ws }) => {
        ws().open();
        mock.timers.tick(600000);
        assert.equal(ws().sent.some(frame => frame.includes(',105,')), false);
    }, { settings: { ping_interval: 0, view_start_timeout: 0 } });
});

test('a lost connection shows a notice and reconnects with backoff, then VIEWs again', () => {
    withPage(({ browser, context, ws }) => {
        const hooks = [];
        context.add_disconnect_hook(() => hooks.push('disconnect'));
        context.add_connect_hook(() => hooks.push('connect'));
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().drop();
        assert.match(browser.doc.body.textContent, /Connection lost, reconnecting\.\.\./);
        assert.equal(browser.sockets.length, 1);
        mock.timers.tick(1000);
        assert.equal(browser.sockets.length, 2);
        ws().drop();
        mock.timers.tick(1999);
        assert.equal(browser.sockets.length, 2);
        mock.timers.tick(1);
        assert.equal(browser.sockets.length, 3);
        ws().open();
        assert.doesNotMatch(browser.doc.body.textContent, /Connection lost/);
        assert.deepEqual(ws().sent, ['lona:[1,null,101,["http://localhost:8080/count/?x=1",null]]']);
        assert.deepEqual(hooks, ['connect', 'disconnect', 'disconnect', 'connect']);
        ws().drop();
        mock.timers.tick(1000);
        assert.equal(browser.sockets.length, 4, 'the backoff restarts after a successful connect');
    });
});

test('a socket closed for a policy (1008) keeps backing off across reconnects', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().drop(1008);
        mock.timers.tick(1000);
        assert.equal(browser.sockets.length, 2);
        ws().open();
        ws().drop(1008);
        mock.timers.tick(1999);
        assert.equal(browser.sockets.length, 2, 'the second wait doubles although a socket opened');
        mock.timers.tick(1);
        assert.equal(browser.sockets.length, 3);
        ws().open();
        ws().drop();
        mock.timers.tick(3999);
        assert.equal(browser.sockets.length, 3, 'a lost socket after a refusal still waits longer');
        mock.timers.tick(1);
        assert.equal(browser.sockets.length, 4);
        ws().open();
        ws().drop();
        mock.timers.tick(1000);
        assert.equal(browser.sockets.length, 5, 'a socket that ended normally resets the backoff');
    });
});

test('with live reload, a reconnect reloads the page instead of sending VIEW, retrying without backoff', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        assert.equal(ws().sent.length, 1, 'the first open sends VIEW');
        ws().receive('lona:[1,"1",204,null]');
        ws().drop();
        for (const sockets of [2, 3, 4]) {
            mock.timers.tick(1000);
            assert.equal(browser.sockets.length, sockets, 'a new attempt every second');
            if (sockets < 4) {
                ws().drop();
            }
        }
        assert.equal(browser.location.reloads, 0);
        ws().open();
        assert.equal(browser.location.reloads, 1, 'the server is back: the page reloads');
        assert.deepEqual(ws().sent, [], 'no VIEW goes to a socket the reload closes');
        assert.match(browser.doc.body.textContent, /reloading/);
    }, { settings: { live_reload: true, auto_reconnect: false } });
});

test('without live reload, a reconnect never reloads the page', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        ws().drop();
        mock.timers.tick(1000);
        ws().open();
        assert.equal(browser.location.reloads, 0);
        assert.equal(ws().sent.length, 1, 'VIEW again');
    });
});

test('a close while the page unloads does not flash the notice', () => {
    withPage(({ browser, ws }) => {
        ws().open();
        browser.dispatch('beforeunload');
        ws().drop();
        assert.doesNotMatch(browser.doc.body.textContent, /Connection lost/);
        assert.equal(browser.sockets.length, 1);
    });
});

test('an exception while handling a message is reported as CLIENT_ERROR', () => {
    withPage(({ ws, errors }) => {
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",203,["",[503,[["99",603,704]]]]]');
        const frame = ws().sent.at(-1);
        assert.match(frame, /^lona:\[1,"1",104,\["Error: lona: unknown node id 99\\n/);
        assert.equal(errors.mock.callCount(), 1);
        ws().receive(GOLDEN_DATA);
        assert.equal(ws().sent.length, 2, 'the window keeps working');
    });
});

test('custom frames go to the message handlers; send() sends custom frames', () => {
    withPage(({ context, ws }) => {
        const seen = [];
        context.add_message_handler((ctx, message) => {
            seen.push(['first', message]);
            return message.startsWith('pass') ? message : null;
        });
        context.add_message_handler((ctx, message) => {
            seen.push(['second', message]);
        });
        assert.equal(context.send('too early'), false);
        ws().open();
        ws().receive('hello');
        ws().receive('pass it on');
        ws().receive('lona:not json');
        assert.deepEqual(seen, [['first', 'hello'], ['first', 'pass it on'], ['second', 'pass it on'], ['first', 'lona:not json']]);
        assert.equal(context.send('custom'), true);
        assert.equal(ws().sent.at(-1), 'custom');
    });
});

test('more windows: create_window VIEWs with the next id; messages are routed by window id', () => {
    withPage(({ browser, context, ws }) => {
        ws().open();
        const second = browser.doc.createElement('div');
        browser.doc.body.appendChild(second);
        const id = context.create_window(second, '/side/');
        assert.equal(id, 2);
        assert.equal(ws().sent.at(-1), 'lona:[2,null,101,["http://localhost:8080/side/",null]]');
        ws().receive('lona:[2,"5",204,null]');
        ws().receive('lona:[2,"5",203,["",[501,"<p>side</p>"]]]');
        assert.equal(second.innerHTML, '<p>side</p>');
        assert.equal(browser.root.innerHTML, '');
        assert.equal(context.get_default_window().id, 1);
    });
});

test('widgets fire custom events through the shim', () => {
    withPage(({ context, ws }) => {
        let shim = null;
        Lona.register_widget_class('test.Shim', class {
            constructor(s) {
                shim = s;
            }
        });
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",203,["",[502,[401,"15","","div",[],[],{},{},[],"test.Shim",{}]]]]');
        assert.equal(shim.lona_context, context);
        shim.fire_input_event(undefined, 'custom-event', { foo: 'bar' });
        assert.equal(ws().sent.at(-1), 'lona:[1,"1",102,[1,"custom-event",{"foo":"bar"},["15",null,null,null],[null,null,null,null]]]');
        ws().receive('lona:[1,"1",103,1]');
    });
});

test('a widget changes its own data with set_widget_data: at once here, by an event on the server', () => {
    withPage(({ ws }) => {
        let shim = null;
        let seen = null;
        const updates = [];
        Lona.register_widget_class('test.Counter', class {
            constructor(s, rootNode, widgetData) {
                shim = s;
                seen = widgetData;
            }

            onDataUpdated(widgetData) {
                updates.push(widgetData.data);
            }
        });
        ws().open();
        ws().receive('lona:[1,"1",204,null]');
        ws().receive('lona:[1,"1",203,["",[502,[401,"15","","div",[],[],{},{},[],"test.Counter",{"count":0,"items":[1,2]}]]]]');
        assert.equal(shim.set_widget_data(['count'], 1), 1);
        assert.equal(
            ws().sent.at(-1),
            'lona:[1,"1",102,[1,"lona.widget_data",{"path":["count"],"value":1},["15",null,null,null],[null,null,null,null]]]',
        );
        assert.deepEqual(seen.data, { count: 1, items: [1, 2] }, 'the widget sees its change at once');
        assert.deepEqual(updates, [], 'no hook runs for the widget\'s own change');
        shim.set_widget_data(['items', 1], 5);
        assert.deepEqual(seen.data.items, [1, 5]);

        // A path that leads nowhere is the widget's mistake: it throws and sends nothing.
        const before = ws().sent.length;
        assert.throws(() => shim.set_widget_data(['items', 7], 1), /no place/);
        assert.throws(() => shim.set_widget_data(['missing', 'x'], 1), /no place/);
        assert.equal(ws().sent.length, before);

        // The server's later patches apply to the data as the widget changed it.
        ws().receive(`lona:[1,"1",203,["",[503,[["15",606,${P.OPERATION.INSERT},["items"],0,0]]]]]`);
        assert.deepEqual(updates, [{ count: 1, items: [0, 1, 5] }]);
        shim.set_widget_data([], { fresh: true });
        assert.deepEqual(seen.data, { fresh: true });
    });
});
