// Scripts run: the menu's dropdowns and the phone's menu button work (Bootstrap's bundle), so
// the fallbacks for a browser without JavaScript (app.css, ".no-js") step aside.
document.documentElement.classList.remove("no-js");
