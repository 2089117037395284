// @ts-check
// The demo shop's only behaviour: a pretend cart counter.
(function () {
  var count = 0;
  var cart = /** @type {HTMLElement} */ (document.getElementById('cart'));
  document.querySelectorAll('.buy button').forEach(function (button) {
    button.addEventListener('click', function () {
      count += 1;
      cart.textContent = 'Cart (' + count + ')';
    });
  });
})();
