// @ts-check
})();
