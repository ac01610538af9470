export default {
  vars: {
    locale: "de-DE",
    currency: "EUR",
    // Sent with every report: the service terms, a PDF on the parts service.
    termsPath: "/documents/terms.pdf",
    // The report page (Liquid; the vars of LiquidParser.parse are also reachable as Vars.*).
    reportTemplate: `<h1>Service report {{ number }}</h1>
<p><b>Customer:</b> {{ customer | escape }}<br><b>Visit:</b> {{ visit }} ({{ hours }} h)<br><b>Technician:</b> {{ Vars.technician }}</p>
<table>
<tr><th>SKU</th><th>Part</th><th>Qty</th><th>Price</th></tr>
{% for part in parts %}<tr><td>{{ part.sku }}</td><td>{{ part.name | escape }}</td><td>{{ part.qty }}</td><td>{{ part.price }}</td></tr>
{% endfor %}</table>
<p>Total parts: <b>{{ total }}</b></p>`,
    emailTemplate: `<p>Dear {{ customer | escape }},</p><p>please find the report of our visit on {{ visit }} attached.</p>`,
  },
};
