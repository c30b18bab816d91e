// The API documentation page (/api/v1/docs/): Swagger UI on the schema, from this server only
// (no validator badge: it would send the schema to validator.swagger.io).
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.schemaUrl,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
