/**
 * zod's English error messages, for every contract schema. zod/mini loads no
 * locale (each default message would read "Invalid input"), so contract
 * modules import this file for its one effect: a 400's `details` read the
 * same whether the model server (which also loads classic zod) or the Worker
 * (which loads only zod/mini) parsed the body.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());
