"""Runs localstripe (the local Stripe fake from PyPI) for VINR's connector tests.

localstripe leaves three things of Stripe's documented API to Stripe.js or out altogether;
the connector relies on them, so this launcher adds them, as Stripe documents them, around
the unmodified package:

- `Idempotency-Key`: a POST sent again with the same key (and the same secret key) answers
  the first one's result instead of acting twice (stripe.com/docs/api/idempotent_requests).
  Without it the reconciler's lookup would charge twice, which is what the tests look for.
- `return_url` on a PaymentIntent: a card that needs 3-D Secure answers `next_action`
  `redirect_to_url` (stripe.com/docs/payments/3d-secure) to a page of this fake where the
  "customer" completes or fails the challenge, which then returns to `return_url`.
  (localstripe itself answers `use_stripe_sdk` for Stripe.js.)
- `statement_descriptor_suffix` is accepted and kept, so tests can read what VINR sent.

For fault tests, `POST /_vinr/outage` with `on=1` makes every API request answer 503 (as a
processor in trouble does) until `on=0`.

Every request VINR makes is logged to `--log` (one JSON object per line: method, path, form
and the Idempotency-Key), so tests can check what reached the processor and what did not
(no card number outside `/v1/payment_methods`).

`--plain` leaves the package as published (no idempotency, no redirect challenge), to check
VINR copes with a processor that lacks them.

Usage: python serve.py --port 8420 [--port-file F] [--log requests.jsonl] [--plain]
(`--port 0` takes a free port; `--port-file` names a file it is written to once bound.)
"""

import argparse
import json
import os
import socket
from urllib.parse import parse_qsl

from aiohttp import web

from localstripe import resources, server
from localstripe.errors import UserError

_replies = {}
_outage = False
_extras = {}
_log_path = None

_create_intent = resources.PaymentIntent._api_create.__func__


def _create_intent_with_redirect(cls, return_url=None,
                                 statement_descriptor_suffix=None, **data):
    obj = _create_intent(cls, **data)
    _extras[obj.id] = {'return_url': return_url,
                       'statement_descriptor_suffix':
                           statement_descriptor_suffix}
    obj.statement_descriptor_suffix = statement_descriptor_suffix
    if obj.next_action is not None and return_url:
        obj.next_action = {
            'type': 'redirect_to_url',
            'redirect_to_url': {'url': '%s/_acs/%s' % (_base, obj.id),
                                'return_url': return_url}}
    return obj


_base = ''
_plain = False


@web.middleware
async def record_and_replay(request, handler):
    if request.path.startswith('/_'):
        return await handler(request)
    body = await request.read()
    key = request.headers.get('Idempotency-Key')
    if _log_path:
        with open(_log_path, 'a') as log:
            log.write(json.dumps({
                'method': request.method, 'path': request.path,
                'form': dict(parse_qsl(body.decode('utf-8'),
                                       keep_blank_values=True)),
                'idempotency_key': key}) + '\n')
    if request.method != 'POST' or not key or _plain:
        return await handler(request)
    slot = (request.headers.get('Authorization'), key)
    if slot in _replies:
        status, text = _replies[slot]
        return web.Response(status=status, text=text,
                            content_type='application/json')
    try:
        response = await handler(request)
    except UserError as err:
        response = err.to_response()
    if response.status < 500:
        _replies[slot] = (response.status, response.text)
    return response


@web.middleware
async def acs(request, handler):
    """The fake issuer's page is public, as a real one is (localstripe's own routes all ask
    for a key), so it is served ahead of the package's middlewares; so is the outage switch."""
    global _outage
    if request.path == '/_vinr/outage':
        _outage = (await request.post()).get('on') == '1'
        return web.Response(text='outage %s' % _outage)
    if _outage and request.path.startswith('/v1/'):
        return web.json_response(
            {'error': {'type': 'api_error', 'message': 'Outage (test)'}},
            status=503)
    if not request.path.startswith('/_acs/'):
        return await handler(request)
    if request.method == 'POST':
        return await acs_submit(request)
    return await acs_page(request)


async def acs_page(request):
    pi = request.path.rsplit('/', 1)[-1]
    return web.Response(content_type='text/html', text=(
        '<!doctype html><title>3-D Secure</title><h1>Fake issuer</h1>'
        '<p>Authenticate payment %s</p>'
        '<form method="post"><button name="result" value="complete">'
        'Complete authentication</button>'
        '<button name="result" value="fail">Fail authentication</button>'
        '</form>' % pi))


async def acs_submit(request):
    pi = request.path.rsplit('/', 1)[-1]
    form = await request.post()
    obj = resources.PaymentIntent._api_retrieve(pi)
    try:
        resources.PaymentIntent._api_authenticate(
            pi, client_secret=obj.client_secret,
            success=form.get('result') == 'complete')
    except UserError:
        pass
    back = (_extras.get(pi) or {}).get('return_url') or '/'
    raise web.HTTPFound(back)


def main():
    global _base, _log_path, _plain
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, default=8420)
    parser.add_argument('--port-file')
    parser.add_argument('--log')
    parser.add_argument('--plain', action='store_true')
    args = parser.parse_args()
    # Bound here, not by run_app, so `--port 0` takes a free port with no window in which
    # another process could take it, and the port is known before the first request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # As run_app binds: a fixed port is free again at once after the last run's exit.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    _base = 'http://127.0.0.1:%d' % port
    _log_path = args.log
    _plain = args.plain
    if not _plain:
        resources.PaymentIntent._api_create = classmethod(
            _create_intent_with_redirect)
    # The package pickles its whole store to /tmp after every POST: slow, and shared by every
    # instance on the machine. The tests' fakes live in memory only.
    resources.store.dump_to_disk = lambda: None
    app = server.app
    app.middlewares.insert(0, acs)
    app.middlewares.append(record_and_replay)
    if args.port_file:
        # Written whole or not at all: a reader never sees half a number.
        with open(args.port_file + '.tmp', 'w') as f:
            f.write(str(port))
        os.replace(args.port_file + '.tmp', args.port_file)
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == '__main__':
    main()
