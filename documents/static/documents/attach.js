// Drag and drop onto the attach form, and a progress bar while files upload.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".attach-form");
  if (!form) return;
  const zone = form.querySelector(".drop-zone");
  const input = form.querySelector("input[type=file]");
  const progress = form.querySelector(".attach-progress");

  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("dragging"))
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    input.files = event.dataTransfer.files;
    zone.querySelector("span").textContent = Array.from(input.files)
      .map((file) => file.name)
      .join(", ");
  });

  form.addEventListener("submit", (event) => {
    if (!input.files.length) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.responseType = "json";
    request.upload.addEventListener("progress", (progressEvent) => {
      if (progressEvent.lengthComputable) {
        progress.hidden = false;
        progress.value = (100 * progressEvent.loaded) / progressEvent.total;
      }
    });
    // The server answers with the page to show next, where its messages wait.
    request.addEventListener("load", () => {
      if (request.status === 200 && request.response) {
        window.location.assign(request.response.redirect);
      } else {
        form.submit();
      }
    });
    request.addEventListener("error", () => form.submit());
    request.send(new FormData(form));
  });
});
