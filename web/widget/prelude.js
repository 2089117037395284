// @ts-check
/*! deskbell chat widget. Source: web/widget/ (the files in bundle.txt, concatenated). */
(function () {
'use strict';
// One widget per page, even if the snippet is pasted twice.
if (window.deskbell && window.deskbell.version) return;
