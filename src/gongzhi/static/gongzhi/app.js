// 共治 Gongzhi: small glue. htmx swaps 422 responses (form errors) like 200 (STYLE.md §7).
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
