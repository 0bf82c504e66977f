// The demo shop's page script: what a merchant writes with VINR Elements. Its server made
// the payment session; this page only mounts the card element and asks it to confirm.
(function () {
  'use strict';
  var pay = document.getElementById('pay');
  var statusLine = document.getElementById('shop-status');
  var errorLine = document.getElementById('shop-error');
  var elements;

  function say(text, cls) {
    statusLine.textContent = text;
    statusLine.className = 'status ' + (cls || '');
  }

  fetch('/session', { method: 'POST' })
    .then(function (r) {
      if (!r.ok) throw new Error('the shop could not start a payment (' + r.status + ')');
      return r.json();
    })
    .then(function (session) {
      var vinr = Vinr(document.body.dataset.publishableKey);
      elements = vinr.elements({
        clientSecret: session.client_secret,
        appearance: { variables: { colorPrimary: '#0f766e', borderRadius: '6px', fontFamily: 'Georgia, serif' } },
      });
      var card = elements.create('card');
      card.on('ready', function () {
        pay.disabled = false;
        say('Enter your card to pay.');
      });
      card.on('change', function (event) {
        errorLine.textContent = event.error ? event.error.message : '';
      });
      card.on('error', function (event) {
        errorLine.textContent = event.error.message;
      });
      card.mount('#card');
    })
    .catch(function (e) {
      say('Sorry, ' + e.message + '.');
    });

  pay.addEventListener('click', function () {
    pay.disabled = true;
    errorLine.textContent = '';
    say('Paying…');
    elements.confirm({ redirect: 'if_required' }).then(function (result) {
      if (result.error) {
        pay.disabled = false;
        say('Not paid.');
        return;
      }
      // Trust the shop's server, which asks VINR, not the browser.
      return fetch('/order/' + encodeURIComponent(result.payment.id))
        .then(function (r) { return r.json(); })
        .then(function (order) {
          if (order.status === 'succeeded') {
            say('Thank you! Order paid (' + order.id + ').', 'paid');
          } else {
            say('Payment ' + order.status + '.');
          }
        });
    });
  });
})();
