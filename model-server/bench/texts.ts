/**
 * The prediction texts every benchmark sends (bench:model and npm run bench),
 * so their numbers load the model alike.
 */
/** A few realistic texts, sent in turn so the model does not see one input only. */
export const TEXTS = [
  "This product is absolutely wonderful, I love it and would buy it again.",
  "Terrible experience. The package arrived broken and support never answered.",
  "It works, I guess. Nothing special, but not bad either.",
  "I am not happy with the battery life, it barely lasts a day.",
  "Fast shipping, great price, and the quality is better than I expected!",
  "The manual is confusing and the setup took hours. Never again.",
  "Decent value for the money.",
  "Not bad at all, honestly one of the better ones I have tried.",
];
