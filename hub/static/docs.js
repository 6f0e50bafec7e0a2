// Swagger UI start-up, kept out of the page so the CSP can forbid inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
