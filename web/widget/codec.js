// Postcard codec for the widget: placeholder.
