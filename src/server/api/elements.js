/*! VINR Elements loader v1 (GET /v1/elements.js). Card fields live in an iframe served by
 * VINR, so card data never touches the merchant's page or servers. No dependencies.
 *
 *   var vinr = Vinr('pk_test_…');
 *   var elements = vinr.elements({ clientSecret: session.client_secret, appearance: { variables: { colorPrimary: '#0a7cff' } } });
 *   var card = elements.create('card');
 *   card.on('change', function (e) { … e.complete, e.error … });
 *   card.mount('#card');
 *   elements.confirm({ return_url: 'https://shop.example/done', redirect: 'if_required' })
 *     .then(function (result) { if (result.error) … else … result.payment.status … });
 */
(function (w, d) {
  'use strict';
  var VERSION = '1';
  var MARK = 'elements';
  var script = d.currentScript;
  // The frame comes from the server this file was loaded from.
  var BASE = script && script.src ? new URL(script.src).origin : w.location.origin;

  function fail(message) {
    throw new Error('Vinr: ' + message);
  }

  function Vinr(key) {
    if (!(this instanceof Vinr)) return new Vinr(key);
    if (typeof key !== 'string' || !/^pk_(test|live)_/.test(key)) {
      fail('pass your publishable key (pk_test_… or pk_live_…). Never put a secret key in a web page.');
    }
    this._key = key;
  }
  Vinr.version = VERSION;

  Vinr.prototype.elements = function (options) {
    options = options || {};
    if (typeof options.clientSecret !== 'string' || !options.clientSecret) {
      fail('elements() needs the clientSecret your server got from POST /v1/payment_sessions.');
    }
    return new Elements(this._key, options);
  };

  function Elements(key, options) {
    this._key = key;
    this._secret = options.clientSecret;
    this._appearance = options.appearance || {};
    this._card = null;
  }

  Elements.prototype.create = function (type) {
    if (type !== 'card') fail("only create('card') is supported.");
    if (this._card) fail('this elements group already has a card element.');
    this._card = new Card(this);
    return this._card;
  };

  Elements.prototype.getElement = function (type) {
    return type === 'card' ? this._card : null;
  };

  // Resolves with {payment: {id, status, amount, currency}} or {error: {type, code, message, …}}.
  Elements.prototype.confirm = function (options) {
    options = options || {};
    var card = this._card;
    if (!card || !card._frame) {
      return Promise.resolve(problem('integration_error', 'Create and mount the card element before confirm().'));
    }
    return card._confirm().then(function (result) {
      if (result.payment && options.return_url && options.redirect !== 'if_required') {
        var target = new URL(options.return_url, w.location.href);
        target.searchParams.set('payment_id', result.payment.id);
        target.searchParams.set('status', result.payment.status);
        w.location.assign(target.toString());
      }
      return result;
    });
  };

  function problem(type, message) {
    return { error: { type: type, code: type, message: message } };
  }

  function Card(elements) {
    this._elements = elements;
    this._handlers = {};
    this._pending = {};
    this._seq = 0;
    this._frame = null;
    this._loaded = false;
  }

  Card.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
    return this;
  };

  Card.prototype.off = function (name, handler) {
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) {
      return h !== handler;
    });
    return this;
  };

  Card.prototype._emit = function (name, event) {
    (this._handlers[name] || []).forEach(function (handler) {
      try {
        handler(event);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    });
  };

  Card.prototype.mount = function (target) {
    var host = typeof target === 'string' ? d.querySelector(target) : target;
    if (!host) fail('mount(): nothing on the page matches ' + target + '.');
    if (this._frame) fail('mount(): this card element is already mounted.');
    var self = this;
    var frame = d.createElement('iframe');
    // The key and this page's origin only: the client secret goes by postMessage, never in a URL.
    frame.src = BASE + '/elements/card?v=' + VERSION + '&pk=' + encodeURIComponent(this._elements._key) +
      '&origin=' + encodeURIComponent(w.location.origin);
    frame.title = 'Secure card payment input';
    frame.setAttribute('scrolling', 'no');
    frame.style.cssText = 'border:0;width:100%;height:170px;display:block;overflow:hidden;background:transparent;color-scheme:normal';
    this._frame = frame;
    this._listener = function (event) {
      if (event.origin !== BASE || event.source !== frame.contentWindow || typeof event.data !== 'string') return;
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (message && message.vinr === MARK) self._receive(message);
    };
    w.addEventListener('message', this._listener);
    host.appendChild(frame);
    this._timer = setTimeout(function () {
      if (!self._loaded) {
        self._emit('error', problem('integration_error', 'The card fields did not load. Check that ' +
          w.location.origin + ' is one of the allowed embed origins (VINR dashboard, Settings) and that the ' +
          'publishable key is right.'));
      }
    }, 10000);
    return this;
  };

  Card.prototype.unmount = function () {
    if (!this._frame) return this;
    w.removeEventListener('message', this._listener);
    clearTimeout(this._timer);
    this._frame.remove();
    this._frame = null;
    this._loaded = false;
    return this;
  };

  Card.prototype.destroy = Card.prototype.unmount;

  Card.prototype._send = function (message) {
    message.vinr = MARK;
    this._frame.contentWindow.postMessage(JSON.stringify(message), BASE);
  };

  Card.prototype._receive = function (m) {
    switch (m.type) {
      case 'loaded':
        this._loaded = true;
        clearTimeout(this._timer);
        this._send({ type: 'init', clientSecret: this._elements._secret, appearance: this._elements._appearance });
        break;
      case 'ready':
        this._emit('ready', { elementType: 'card' });
        break;
      case 'change':
        this._emit('change', { elementType: 'card', complete: !!m.complete, empty: !!m.empty, brand: m.brand, error: m.error });
        break;
      case 'resize':
        if (m.height > 0 && m.height < 3000) this._frame.style.height = Math.ceil(m.height) + 'px';
        break;
      case 'error':
        this._emit('error', { error: m.error });
        break;
      case 'result':
        var done = this._pending[m.id];
        if (!done) return;
        delete this._pending[m.id];
        if (m.error) {
          this._emit('error', { error: m.error });
          done({ error: m.error });
        } else {
          done({ payment: m.payment });
        }
        break;
    }
  };

  Card.prototype._confirm = function () {
    var self = this;
    if (!this._loaded) {
      return Promise.resolve(problem('integration_error', 'The card fields have not loaded yet; wait for the ready event.'));
    }
    return new Promise(function (resolve) {
      var id = ++self._seq;
      self._pending[id] = resolve;
      self._send({ type: 'confirm', id: id });
    });
  };

  w.Vinr = Vinr;
})(window, document);
